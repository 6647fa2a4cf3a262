// The -ui demo page's own script: it picks the language from ?lang= and
// shows what the widget's "verified" event carries. It runs before the
// widget's script (both are deferred, in document order), so the lang is
// set when the element starts.
(() => {
  'use strict';
  const lang = new URLSearchParams(location.search).get('lang');
  if (lang === 'zh-CN' || lang === 'en-US') document.documentElement.lang = lang;

  document.addEventListener('verified', (e) => {
    const out = document.getElementById('result');
    const { contact, channel, country } = e.detail;
    out.textContent = `Verified ${channel === 'email' ? 'the address' : 'the number'} ${contact}` +
      (country ? ` (${country})` : '') + '. A real page would now go on: sign-in, sign-up, a changed number.';
    out.hidden = false;
  });
})();
