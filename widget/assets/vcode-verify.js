// <vcode-verify>, vcode's drop-in verification form (docs/widget.md).
// No framework, no build step, nothing inline: CSP default-src 'self'.
(() => {
  'use strict';

  // The assets default; currentScript is set only while this first runs.
  const SCRIPT_DIR = document.currentScript
    ? new URL('.', document.currentScript.src).href
    : new URL('.', location.href).href;

  // The element's own texts (widget.LabelKeys).
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
      config: 'This form is not set up correctly and cannot be used.',
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
      config: '此表单配置有误，无法使用。',
    },
  };

  // The API's error codes (httpmw.ErrorTable) that mark a field invalid.
  const CONTACT_ERRORS = ['USG.201060002', 'USG.201060003', 'USG.201060008'];
  const CODE_ERRORS = ['USG.201060004', 'USG.201060005', 'USG.201060006'];

  // The shadow tree: static markup, every text is set with textContent.
  const TEMPLATE = document.createElement('template');
  TEMPLATE.innerHTML = `
<div class="box" part="box" hidden>
  <p class="config error" part="error" role="alert" hidden></p>
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

  // fetchJSON gets a JSON file once per URL per page; null if it failed.
  const jsonCache = new Map();
  function fetchJSON(url) {
    if (!jsonCache.has(url)) {
      jsonCache.set(url, fetch(url, { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.json() : null))
        .catch(() => null));
    }
    return jsonCache.get(url);
  }

  // The code lengths verifier.WithCodeLength allows.
  const MIN_CODE = 4, MAX_CODE = 10;

  // format fills {name} placeholders.
  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  }

  // pickLanguage finds lang in table's keys, else its primary subtag's.
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
      this.channel = this.getAttribute('channel') || 'phone';
      // Not this.lang, which reflects the lang attribute.
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

    // setup loads the files together, then shows the form, or only the
    // configuration error for a wrong attribute or a file that failed.
    async setup() {
      const problems = [];
      for (const a of ['send-url', 'verify-url']) {
        if (!this.getAttribute(a)) problems.push(`missing attribute ${a}`);
      }
      if (!['phone', 'email', 'both'].includes(this.channel)) problems.push(`channel="${this.channel}" is not phone, email or both`);
      const dir = new URL(this.getAttribute('assets') || SCRIPT_DIR, location.href);
      const url = (name) => new URL(name, dir).href;
      const css = this.loadStyle(url('vcode-verify.css'));
      const labels = fetchJSON(url('labels.json'));
      const countries = this.channel === 'email' ? [] : fetchJSON(url('countries.json'));
      const [hostLabels, table, cssOK] = await Promise.all([labels, countries, css]);
      if (!cssOK) problems.push(`cannot load ${url('vcode-verify.css')}`);
      // Without labels.json, only the host's labels are missing.
      if (!hostLabels) console.warn(`<vcode-verify>: cannot load ${url('labels.json')}; built-in labels only`);
      if (!table) problems.push(`cannot load ${url('countries.json')}`);
      this.texts = this.resolveLabels(hostLabels);
      this.$('.box').hidden = false;
      if (problems.length) {
        console.error(`<vcode-verify>: ${problems.join('; ')} (see docs/widget.md)`);
        for (const el of this.shadowRoot.querySelectorAll('input, select, button')) el.disabled = true;
        for (const f of this.shadowRoot.querySelectorAll('form')) f.hidden = true;
        const err = this.$('.config');
        err.textContent = this.t('config');
        err.hidden = false;
        return;
      }
      this.fillCountries(table);
      this.fillTexts();
      this.listen();
    }

    // warn: a wrong optional attribute falls back to its default.
    warn(name, value, fallback) {
      console.warn(`<vcode-verify>: ${name}="${value}" is not valid; using ${fallback}`);
    }

    // loadStyle links the style sheet in the shadow root: true if loaded.
    loadStyle(href) {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      const done = new Promise((resolve) => {
        link.onload = () => resolve(true);
        link.onerror = () => resolve(false);
      });
      this.shadowRoot.prepend(link);
      return done;
    }

    // resolveLabels: the host's labels.json over the built-in texts of the
    // language (en-US if none); zh-CN for a language nobody has.
    resolveLabels(host) {
      const hostLang = host && typeof host === 'object' ? pickLanguage(this.language, host) : undefined;
      const builtin = pickLanguage(this.language, LABELS) || (hostLang ? 'en-US' : 'zh-CN');
      return Object.assign({}, LABELS['en-US'], LABELS[builtin], hostLang ? host[hostLang] : {});
    }

    t(key, values) {
      return format(this.texts[key] || key, values || {});
    }

    // fillCountries: region names in the page's language, sorted.
    fillCountries(table) {
      const select = this.$('#country');
      if (!table.length) return;
      let names = null;
      try { names = new Intl.DisplayNames([this.language], { type: 'region' }); } catch (e) { /* old browser */ }
      const nameOf = (c) => { try { return names?.of(c.region) || c.value; } catch (e) { return c.value; } };
      const rows = table.map((c) => ({ c, name: nameOf(c) }));
      const collator = new Intl.Collator(this.language);
      rows.sort((a, b) => collator.compare(a.name, b.name));
      let wanted = this.getAttribute('country') || 'chinaPR';
      if (!table.some((c) => c.value === wanted)) {
        this.warn('country', wanted, 'chinaPR');
        wanted = 'chinaPR'; // contact.DefaultCountry
      }
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
      // Never shorter than the server's codes: up to MAX_CODE unless told.
      const attr = this.getAttribute('code-length');
      let len = MAX_CODE;
      if (attr !== null) {
        const n = Number(attr);
        if (Number.isInteger(n) && n >= MIN_CODE && n <= MAX_CODE) len = n;
        else this.warn('code-length', attr, `up to ${MAX_CODE} digits`);
      }
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
      // Digits only; an IME's full-width digits become ASCII. Written back
      // only when changed, so that the caret stays put.
      this.$('#code').addEventListener('input', (e) => {
        const el = e.target;
        const digits = el.value.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/\D/g, '');
        if (digits !== el.value) el.value = digits;
      });
    }

    // request: the contact, country and channel to send.
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

    // finish locks the form and tells the page.
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

    // post answers {ok, code, msg, wait, nextSend}: wait is a 429's
    // Retry-After, nextSend from WithSendTimes, in seconds, maybe 0.
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
      if (res.ok && data) return { ok: true, nextSend: this.secondsUntil(data.next_send_at, res) };
      const wait = retryAfter(res);
      if (typeof data?.error_code === 'string' && typeof data.error_msg === 'string') {
        return { ok: false, code: data.error_code, msg: data.error_msg, wait };
      }
      console.error(`<vcode-verify>: POST ${res.url} answered ${res.status} ${res.headers.get('Content-Type')}, not the API's JSON`);
      return { ok: false, code: 'unexpected', msg: this.t('unexpected'), wait };
    }

    // secondsUntil counts on the server's clock (Date), not the browser's.
    // Date is truncated and next_send_at rounded up: take now as Date + 1 s,
    // the latest it can be, so that a 60 s cooldown shows 60.
    secondsUntil(when, res) {
      const at = Date.parse(when || '');
      if (!Number.isFinite(at)) return 0;
      const date = Date.parse(res.headers.get('Date') || '');
      const now = Number.isFinite(date) ? date + 1000 : Date.now();
      return Math.max(0, Math.ceil((at - now) / 1000));
    }

    // fail shows an error in its form, marks and focuses the field it
    // concerns, and counts down a 429.
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

    // countdown disables button for seconds (label waitKey), then enables
    // it (doneKey). Each tick reads Date.now(): a throttled tab ends on time.
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

    // listenForSMS: WebOTP (the SMS ends with "@host #code"); a new send,
    // success or leaving the page aborts it.
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
