// vcode-verify.js: the <vcode-verify> custom element, vcode's drop-in
// verification form. No framework, no build step, no dependency: load it
// with <script defer src=".../vcode-verify.js"></script> and write
//
//   <vcode-verify send-url="/auth/code" verify-url="/auth/verify"></vcode-verify>
//
// Attributes: send-url, verify-url (required), channel (phone, email or
// both), country (the Huawei value selected first), lang, code-length,
// assets (where vcode-verify.css, countries.json and labels.json are).
// On success it dispatches "verified" (bubbles, composed) with
// detail {contact, country, channel}. docs/widget.md has the whole story.
//
// It works under Content-Security-Policy: default-src 'self': no inline
// script or style, no style attributes (parts are shown and hidden with the
// hidden attribute), and the style sheet is a <link> in the shadow root.
(() => {
  'use strict';

  // The directory this script was loaded from: the default of the assets
  // attribute. document.currentScript is only set while a classic script
  // runs, so it is read here, once.
  const SCRIPT_DIR = document.currentScript
    ? new URL('.', document.currentScript.src).href
    : new URL('.', location.href).href;

  // The element's own texts. {s} is a number of seconds, {contact} what the
  // user typed. A host adds languages with labels.json (widget.WithLabels).
  const LABELS = {
    'en-US': {
      country: 'Country or region',
      phone: 'Phone number',
      email: 'Email address',
      both: 'Phone number or email address',
      send: 'Send code',
      resend: 'Send a new code',
      resendIn: 'New code in {s} s',
      code: 'Verification code',
      verify: 'Verify',
      retryIn: 'Try again in {s} s',
      sending: 'Sending the code…',
      sent: 'Code sent to {contact}. Enter it below.',
      verifying: 'Checking the code…',
      verified: 'Verified.',
      missingContact: 'Enter your phone number or email address.',
      missingCode: 'Enter the code you received.',
      network: 'The server could not be reached. Check your connection and try again.',
      unexpected: 'The server gave an unexpected answer. Try again later.',
    },
    'zh-CN': {
      country: '国家/地区',
      phone: '手机号码',
      email: '邮箱地址',
      both: '手机号码或邮箱地址',
      send: '获取验证码',
      resend: '重新获取验证码',
      resendIn: '{s} 秒后可重新获取',
      code: '验证码',
      verify: '验证',
      retryIn: '{s} 秒后重试',
      sending: '正在发送验证码…',
      sent: '验证码已发送至 {contact}，请在下方输入。',
      verifying: '正在验证…',
      verified: '验证成功。',
      missingContact: '请输入手机号码或邮箱地址。',
      missingCode: '请输入收到的验证码。',
      network: '无法连接服务器，请检查网络后重试。',
      unexpected: '服务器返回了意外的应答，请稍后重试。',
    },
  };

  // Error codes of the API (httpmw.ErrorTable) that concern one field: the
  // widget marks that field invalid and puts the focus on it. Every other
  // code is shown in the form that made the request.
  const CONTACT_ERRORS = ['USG.201060002', 'USG.201060003', 'USG.201060008'];
  const CODE_ERRORS = ['USG.201060004', 'USG.201060005', 'USG.201060006'];

  // The shadow tree. Static markup only: every text is set later with
  // textContent, never interpolated here.
  const TEMPLATE = document.createElement('template');
  TEMPLATE.innerHTML = `
    <div class="box" part="box" hidden>
      <form class="contact-form" part="form" novalidate>
        <div class="field country-field" hidden>
          <label for="country" part="label"></label>
          <select id="country" part="select"></select>
        </div>
        <div class="field">
          <label for="contact" part="label"></label>
          <input id="contact" part="input" aria-describedby="contact-error" required>
        </div>
        <p id="contact-error" class="error" part="error" role="alert"></p>
        <button type="submit" class="send" part="button"></button>
      </form>
      <form class="code-form" part="form" novalidate hidden>
        <div class="field">
          <label for="code" part="label"></label>
          <input id="code" part="input" autocomplete="one-time-code" inputmode="numeric"
                 aria-describedby="code-error" required>
        </div>
        <p id="code-error" class="error" part="error" role="alert"></p>
        <button type="submit" class="verify" part="button"></button>
      </form>
      <p class="status" part="status" role="status" aria-live="polite"></p>
    </div>`;

  // fetchJSON gets a JSON file once per URL for every element of the page.
  // A failure gives the fallback: the widget then works without the file.
  const jsonCache = new Map();
  function fetchJSON(url, fallback) {
    if (!jsonCache.has(url)) {
      jsonCache.set(url, fetch(url, { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.json() : fallback))
        .catch(() => fallback));
    }
    return jsonCache.get(url);
  }

  // format fills {name} placeholders.
  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  }

  // pickLanguage finds lang among the keys of table: exactly (case
  // aside), else by its primary subtag ("en-GB" finds "en-US").
  function pickLanguage(lang, table) {
    const keys = Object.keys(table);
    const lower = lang.toLowerCase();
    return keys.find((k) => k.toLowerCase() === lower) ||
      keys.find((k) => k.split('-')[0].toLowerCase() === lower.split('-')[0]);
  }

  // retryAfter reads Retry-After (seconds only: httpmw sends no dates).
  function retryAfter(res) {
    const n = parseInt(res.headers.get('Retry-After') || '', 10);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }

  class VcodeVerify extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return; // moved in the page: already built
      const root = this.attachShadow({ mode: 'open' });
      root.appendChild(TEMPLATE.content.cloneNode(true));
      this.$ = (sel) => root.querySelector(sel);
      this.channel = ['phone', 'email', 'both'].includes(this.getAttribute('channel'))
        ? this.getAttribute('channel') : 'phone';
      // Not this.lang: that property reflects the element's own lang attribute.
      this.language = this.closest('[lang]')?.getAttribute('lang') || 'zh-CN';
      this.timers = new Map(); // button -> countdown timeout
      this.busy = false;
      this.sentTo = null; // {contact, country, channel} of the last send
      this.setup();
    }

    disconnectedCallback() {
      this.otp?.abort();
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
    }

    // setup loads the style sheet, the labels and (for phones) the country
    // table together, then fills the texts and shows the form.
    async setup() {
      const dir = new URL(this.getAttribute('assets') || SCRIPT_DIR, location.href);
      const css = this.loadStyle(new URL('vcode-verify.css', dir).href);
      const labels = fetchJSON(new URL('labels.json', dir).href, {});
      const countries = this.channel === 'email'
        ? Promise.resolve([]) : fetchJSON(new URL('countries.json', dir).href, []);
      const [hostLabels, table] = await Promise.all([labels, countries, css]);
      this.texts = this.resolveLabels(hostLabels);
      this.fillCountries(table);
      this.fillTexts();
      this.listen();
      this.$('.box').hidden = false;
    }

    // loadStyle links the style sheet in the shadow root; the promise
    // settles when it has loaded or failed (the form is usable either way).
    loadStyle(href) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      const done = new Promise((resolve) => { link.onload = link.onerror = resolve; });
      this.shadowRoot.prepend(link);
      return done;
    }

    // resolveLabels picks the texts of the element's language: the host's
    // (labels.json) over the built-in ones of that language, or over
    // en-US for a language the widget does not have. A language nobody
    // has gets zh-CN, the server's default too.
    resolveLabels(host) {
      const hostLang = host && typeof host === 'object' ? pickLanguage(this.language, host) : undefined;
      const builtin = pickLanguage(this.language, LABELS) || (hostLang ? 'en-US' : 'zh-CN');
      return Object.assign({}, LABELS['en-US'], LABELS[builtin], hostLang ? host[hostLang] : {});
    }

    t(key, values) {
      return format(this.texts[key] || key, values || {});
    }

    // fillCountries makes the options: the region's name in the page's
    // language (Intl.DisplayNames) and the dialing code, sorted by name.
    fillCountries(table) {
      const select = this.$('#country');
      if (!table.length) return;
      let names = null;
      try { names = new Intl.DisplayNames([this.language], { type: 'region' }); } catch (e) { /* old browser */ }
      const nameOf = (c) => { try { return names?.of(c.region) || c.value; } catch (e) { return c.value; } };
      const rows = table.map((c) => ({ c, name: nameOf(c) }));
      const collator = new Intl.Collator(this.language);
      rows.sort((a, b) => collator.compare(a.name, b.name));
      const wanted = this.getAttribute('country') || 'chinaPR';
      for (const { c, name } of rows) {
        const opt = new Option(`${name} (${c.dial})`, c.value, false, c.value === wanted);
        select.add(opt);
      }
      this.$('.country-field').hidden = false;
    }

    // fillTexts sets every label and the contact field's kind.
    fillTexts() {
      const contact = this.$('#contact');
      const kind = this.channel;
      contact.type = kind === 'phone' ? 'tel' : kind === 'email' ? 'email' : 'text';
      contact.autocomplete = kind === 'phone' ? 'tel-national' : kind === 'email' ? 'email' : 'username';
      if (kind === 'phone') contact.inputMode = 'tel';
      this.$('label[for=contact]').textContent = this.t(kind);
      this.$('label[for=country]').textContent = this.t('country');
      this.$('label[for=code]').textContent = this.t('code');
      const len = Math.min(10, Math.max(4, parseInt(this.getAttribute('code-length'), 10) || 6));
      this.$('#code').maxLength = len;
      this.$('.send').textContent = this.t('send');
      this.$('.verify').textContent = this.t('verify');
    }

    listen() {
      this.$('.contact-form').addEventListener('submit', (e) => { e.preventDefault(); this.send(); });
      this.$('.code-form').addEventListener('submit', (e) => { e.preventDefault(); this.verify(); });
      // With channel="both", an address with an @ needs no country.
      this.$('#contact').addEventListener('input', () => {
        if (this.channel === 'both') this.$('.country-field').hidden = this.$('#contact').value.includes('@');
      });
      // Digits only in the code field: full-width digits typed by an IME
      // become ASCII, anything else is dropped. Written back only when it
      // changed, so that the caret stays where it is otherwise.
      this.$('#code').addEventListener('input', (e) => {
        const el = e.target;
        const digits = el.value.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/\D/g, '');
        if (digits !== el.value) el.value = digits;
      });
    }

    // request is the current contact, country and channel, as sent.
    request() {
      const contact = this.$('#contact').value.trim();
      const email = this.channel === 'email' || (this.channel === 'both' && contact.includes('@'));
      return { contact, country: email ? '' : this.$('#country').value, channel: email ? 'email' : 'phone' };
    }

    async send() {
      if (this.busy || this.$('.send').disabled) return;
      const req = this.request();
      const form = this.$('.contact-form');
      if (!req.contact) return this.fail(form, { code: 'missing', msg: this.t('missingContact') });
      const body = { contact: req.contact };
      if (req.country) body.country = req.country;
      this.announce(this.t('sending'));
      const res = await this.post(form, this.getAttribute('send-url'), body);
      if (!res.ok) return this.fail(form, res);
      this.clearError(form);
      this.sentTo = req;
      this.countdown(this.$('.send'), res.nextSend, 'resendIn', 'resend');
      this.$('.code-form').hidden = false;
      this.announce(this.t('sent', { contact: req.contact }));
      const code = this.$('#code');
      code.value = '';
      code.focus();
      if (req.channel === 'phone') this.listenForSMS();
    }

    async verify() {
      if (this.busy || !this.sentTo || this.$('.verify').disabled) return;
      const form = this.$('.code-form');
      const code = this.$('#code').value;
      if (!code) return this.fail(form, { code: 'missing', msg: this.t('missingCode') });
      const to = this.sentTo;
      const body = { contact: to.contact, verificationCode: code };
      if (to.country) body.country = to.country;
      this.announce(this.t('verifying'));
      const res = await this.post(form, this.getAttribute('verify-url'), body);
      if (!res.ok) return this.fail(form, res);
      this.clearError(form);
      this.finish(to);
    }

    // finish ends the flow: the form is locked, the status says so, and
    // the page hears of it.
    finish(to) {
      this.otp?.abort();
      for (const el of this.shadowRoot.querySelectorAll('input, select, button')) el.disabled = true;
      for (const t of this.timers.values()) clearTimeout(t);
      this.timers.clear();
      this.announce(this.t('verified'));
      this.dispatchEvent(new CustomEvent('verified', {
        bubbles: true, composed: true,
        detail: { contact: to.contact, country: to.country, channel: to.channel },
      }));
    }

    // post sends one request and reads the answer into
    // {ok, code, msg, wait, nextSend}: wait is a 429's Retry-After and
    // nextSend the seconds until the next send (WithSendTimes), both
    // possibly 0.
    async post(form, url, body) {
      this.busy = true;
      form.setAttribute('aria-busy', 'true');
      try {
        const res = await fetch(url, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'Accept-Language': this.language },
          body: JSON.stringify(body),
        });
        return await this.read(res);
      } catch (e) {
        return { ok: false, code: 'network', msg: this.t('network') };
      } finally {
        this.busy = false;
        form.removeAttribute('aria-busy');
      }
    }

    async read(res) {
      const text = await res.text();
      let data = null;
      try { data = text ? JSON.parse(text) : {}; } catch (e) { /* not JSON */ }
      if (res.ok) return { ok: true, nextSend: data ? this.secondsUntil(data.next_send_at, res) : 0 };
      if (data && typeof data.error_code === 'string' && typeof data.error_msg === 'string') {
        return { ok: false, code: data.error_code, msg: data.error_msg, wait: retryAfter(res) };
      }
      return { ok: false, code: 'unexpected', msg: this.t('unexpected'), wait: retryAfter(res) };
    }

    // secondsUntil counts from the server's own clock (its Date header),
    // so that a wrong clock in the browser does not skew the countdown.
    // Date has whole seconds: the server's now is taken mid-second.
    secondsUntil(when, res) {
      const at = Date.parse(when || '');
      if (!Number.isFinite(at)) return 0;
      const date = Date.parse(res.headers.get('Date') || '');
      const now = Number.isFinite(date) ? date + 500 : Date.now();
      return Math.max(0, Math.ceil((at - now) / 1000));
    }

    // fail shows an error in the form that made the request, marks the
    // field it concerns, moves the focus there, and counts down a 429.
    fail(form, res) {
      const codeForm = form === this.$('.code-form');
      const field = codeForm ? this.$('#code') : this.$('#contact');
      const own = codeForm ? CODE_ERRORS : CONTACT_ERRORS;
      const err = form.querySelector('.error');
      err.textContent = res.msg;
      err.dataset.code = res.code;
      this.announce('');
      if (own.includes(res.code) || res.code === 'missing') field.setAttribute('aria-invalid', 'true');
      if (res.wait) {
        const btn = codeForm ? this.$('.verify') : this.$('.send');
        this.countdown(btn, res.wait, codeForm ? 'retryIn' : 'resendIn', codeForm ? 'verify' : (this.sentTo ? 'resend' : 'send'));
      }
      field.focus();
      if (codeForm) field.select();
    }

    clearError(form) {
      const err = form.querySelector('.error');
      err.textContent = '';
      delete err.dataset.code;
      form.querySelector('input').removeAttribute('aria-invalid');
    }

    announce(text) {
      this.$('.status').textContent = text;
    }

    // countdown disables button for seconds, showing them with the label
    // waitKey, then enables it with doneKey. It recomputes from Date.now()
    // at each tick, so a throttled background tab still ends on time.
    countdown(button, seconds, waitKey, doneKey) {
      clearTimeout(this.timers.get(button));
      const deadline = Date.now() + seconds * 1000;
      const tick = () => {
        const left = deadline - Date.now();
        if (left <= 0) {
          this.timers.delete(button);
          button.disabled = false;
          button.textContent = this.t(doneKey);
          return;
        }
        button.disabled = true;
        button.textContent = this.t(waitKey, { s: Math.ceil(left / 1000) });
        this.timers.set(button, setTimeout(tick, left % 1000 || 1000));
      };
      tick();
    }

    // listenForSMS asks the browser for the code of an SMS (WebOTP: the
    // message ends with "@host #code"); the user may still type it. A new
    // send, the verify's success or leaving the page aborts the request.
    listenForSMS() {
      if (!('OTPCredential' in window) || !navigator.credentials) return;
      this.otp?.abort();
      const otp = new AbortController();
      this.otp = otp;
      navigator.credentials.get({ otp: { transport: ['sms'] }, signal: otp.signal })
        .then((cred) => {
          if (otp.signal.aborted || !cred?.code) return;
          this.$('#code').value = cred.code;
          this.verify();
        })
        .catch(() => { /* aborted or refused: the user types the code */ });
    }
  }

  if (!customElements.get('vcode-verify')) customElements.define('vcode-verify', VcodeVerify);
})();
