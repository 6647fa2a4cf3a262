// Package delivery is the contract between the verifier and whatever
// delivers its codes: the Message a code travels in, the Notifier that
// takes it, and the errors that tell the verifier what became of it.
//
// It imports no other vcode package, so that a notifier for an SMS
// gateway or a mail service needs this package and nothing else of vcode,
// the way a database/sql driver needs database/sql/driver:
//
//	type Gateway struct{ /* ... */ }
//
//	func (g *Gateway) Notify(ctx context.Context, m delivery.Message) error {
//		if err := g.send(ctx, m.To, m.Text); err != nil {
//			if refused(err) {
//				return delivery.Undelivered(err) // certainly not sent
//			}
//			return err // may have been sent
//		}
//		return nil
//	}
//
// The verifier (verifier.New takes a Notifier) and the notifiers of
// package notify and its provider modules all import it; none of them is
// imported here.
//
// # Failures
//
// What a failure means decides what the verifier does with the send's
// limits, so a Notifier says it precisely. An error wrapped with
// Undelivered says the message certainly did not leave: the code is
// withdrawn and the limits given back. ErrNotAllowed says the notifier
// does not take this destination at all (a channel it has no route for):
// the request is refused as not allowed. InvalidRecipient says the
// provider refused the recipient itself as invalid (a number that is not
// one): certain too, and answered as the user's invalid contact rather
// than a failure of the service. Any other error says the message
// may have left: the code stays valid and the send keeps counting against
// every limit. Errors never quote a credential; RedactURL helps with URLs.
package delivery
