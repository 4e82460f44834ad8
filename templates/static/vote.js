// The phone page's aids for owners who see poorly, and for keeping the
// receipt: a text-size switch remembered on the phone, reading the page
// aloud with the browser's speech synthesis, and the receipt saved as a
// picture or sent to oneself. The page works without them: voting needs
// no script, so the aids stay hidden until this file runs.
(function () {
  'use strict';

  var root = document.documentElement;
  var EN = root.lang === 'en';
  var SIZE_KEY = 'gongjue.textSize';

  function setSize(n) {
    root.classList.remove('text-size-2', 'text-size-3');
    if (n === '2' || n === '3') root.classList.add('text-size-' + n);
    document.querySelectorAll('[data-text-size]').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-text-size') === (n || '1')));
    });
  }

  function remembered() {
    try { return localStorage.getItem(SIZE_KEY) || '1'; } catch (e) { return '1'; }
  }

  var tools = document.getElementById('vote-tools');
  if (tools) {
    tools.hidden = false;
    setSize(remembered());
    tools.addEventListener('click', function (ev) {
      var b = ev.target.closest('[data-text-size]');
      if (!b) return;
      var n = b.getAttribute('data-text-size');
      try { localStorage.setItem(SIZE_KEY, n); } catch (e) { /* private mode: this page only */ }
      setSize(n);
    });
  }

  // Read-aloud: one utterance per part of the page marked data-read, in
  // the page's language; a long single utterance is cut off by some phones.
  var read = document.getElementById('vote-read');
  if (read && 'speechSynthesis' in window && 'SpeechSynthesisUtterance' in window) {
    var label = read.textContent;
    var lang = EN ? 'en-GB' : 'zh-CN';
    read.hidden = false;
    var reading = false;
    var stop = function () {
      reading = false;
      window.speechSynthesis.cancel();
      read.textContent = label;
    };
    read.addEventListener('click', function () {
      if (reading) { stop(); return; }
      reading = true;
      read.textContent = read.getAttribute('data-stop');
      var parts = Array.prototype.map.call(document.querySelectorAll('[data-read]'), function (n) {
        return n.innerText.replace(/\s+/g, ' ').trim();
      }).filter(Boolean);
      var voice = window.speechSynthesis.getVoices().filter(function (v) { return v.lang.replace('_', '-').indexOf(lang.slice(0, 2)) === 0; })[0];
      parts.forEach(function (text, i) {
        var u = new SpeechSynthesisUtterance(text);
        u.lang = lang;
        u.rate = 0.9;
        if (voice) u.voice = voice;
        if (i === parts.length - 1) u.onend = stop;
        window.speechSynthesis.speak(u);
      });
    });
  }

  // The receipt kept: what the page says of the ballot — estate, unit,
  // time, channel, receipt code, where to check it — never the choices.
  var keep = document.getElementById('receipt-keep');
  if (!keep) return;
  keep.hidden = false;

  function receiptLines() {
    var lines = [];
    var title = document.getElementById('vote-title');
    if (title) lines.push(title.innerText.trim());
    document.querySelectorAll('.vote-head .vote-facts, #vote-recorded .vote-facts').forEach(function (dl) {
      dl.querySelectorAll('dt').forEach(function (dt) {
        var dd = dt.nextElementSibling;
        if (dd) lines.push(dt.innerText.trim() + (EN ? ': ' : '：') + dd.innerText.trim());
      });
    });
    return lines;
  }
  var code = document.getElementById('receipt').innerText.trim();
  var codeLabel = keep.getAttribute('data-subject').split(' · ')[0];
  var verify = document.getElementById('receipt-verify');
  var verifyURL = verify ? verify.href : '';

  function message() {
    return receiptLines().concat([codeLabel + (EN ? ': ' : '：') + code, verifyURL]).filter(Boolean).join('\n');
  }

  // wrap breaks text to lines of at most width pixels, character by
  // character: Chinese has no spaces to break at.
  function wrap(ctx, text, width) {
    var out = [], line = '';
    Array.from(text).forEach(function (ch) {
      if (line && ctx.measureText(line + ch).width > width) { out.push(line); line = ''; }
      line += ch;
    });
    if (line) out.push(line);
    return out;
  }

  function drawReceipt() {
    var scale = 2, width = 720, pad = 40, body = 30, big = 52;
    var canvas = document.createElement('canvas');
    var ctx = canvas.getContext('2d');
    var font = '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
    ctx.font = body + 'px ' + font;
    var rows = [];
    receiptLines().forEach(function (l) { wrap(ctx, l, width - 2 * pad).forEach(function (w) { rows.push({ text: w, size: body }); }); });
    rows.push({ text: codeLabel, size: body });
    rows.push({ text: code, size: big, mono: true });
    ctx.font = (body - 6) + 'px ' + font;
    wrap(ctx, verifyURL, width - 2 * pad).forEach(function (w) { rows.push({ text: w, size: body - 6 }); });
    var height = pad * 2 + rows.reduce(function (h, r) { return h + r.size * 1.5; }, 0);
    canvas.width = width * scale;
    canvas.height = Math.ceil(height * scale);
    ctx.scale(scale, scale);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#1a1a1a';
    ctx.textBaseline = 'top';
    var y = pad;
    rows.forEach(function (r) {
      ctx.font = (r.mono ? 'bold ' + r.size + 'px ui-monospace, monospace' : r.size + 'px ' + font);
      ctx.fillText(r.text, pad, y);
      y += r.size * 1.5;
    });
    return canvas;
  }

  document.getElementById('receipt-image').addEventListener('click', function () {
    var a = document.createElement('a');
    a.href = drawReceipt().toDataURL('image/png');
    a.download = keep.getAttribute('data-file') + '-' + code + '.png';
    document.body.appendChild(a);
    a.click();
    a.remove();
  });

  var subject = keep.getAttribute('data-subject');
  if (navigator.share) {
    var share = document.getElementById('receipt-share');
    share.hidden = false;
    share.addEventListener('click', function () {
      navigator.share({ title: subject, text: message() }).catch(function () { /* the owner closed the sheet */ });
    });
  } else {
    document.getElementById('receipt-send').hidden = false;
    document.getElementById('receipt-mail').href = 'mailto:?subject=' + encodeURIComponent(subject) + '&body=' + encodeURIComponent(message());
    document.getElementById('receipt-sms').href = 'sms:?body=' + encodeURIComponent(message());
  }
})();
