// The paper desk on a phone: scan a returned ballot's QR code with the
// camera — the browser's BarcodeDetector where it has one, else jsQR
// (jsqr.js, loaded only then) on the video's frames — and show the unit the
// code belongs to before the choices are entered, with a warning when the
// unit has voted or has entries pending. Runs after console.js, whose
// window.gongjue.api it uses.
(function () {
  'use strict';

  var form = document.getElementById('paper-form');
  if (!form || !window.gongjue) return;
  var api = window.gongjue.api;
  var cid = form.getAttribute('data-consultation');
  var ref = form.elements.ref;
  var unit = document.getElementById('paper-unit');

  // chinaMinute writes an RFC 3339 time as the server's pages do
  // (locale.Minute): China Standard Time is UTC+8 all year.
  function chinaMinute(at) {
    return new Date(Date.parse(at) + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
  }

  function fill(template, values) {
    var i = 0;
    return template.replace(/%[sd]/g, function () { return String(values[i++]); });
  }

  var asked = '';
  function lookup() {
    var v = ref.value.trim();
    if (v === asked) return;
    asked = v;
    unit.classList.add('empty');
    if (!v) return;
    api('GET', '/api/v1/consultations/' + cid + '/paper/ballot?scan=' + encodeURIComponent(v)).then(function (r) {
      if (ref.value.trim() !== v) return; // typed on since
      unit.classList.toggle('warn', !r.ok || !!(r.data && (r.data.cast || r.data.pending.length)));
      if (!r.ok) {
        unit.textContent = r.error.message;
      } else {
        var d = r.data;
        var lines = [unit.getAttribute('data-found') + ' ' + d.unit + ' · ' + d.zone + ' · ' + d.area + ' m²'];
        if (d.cast) lines.push(fill(unit.getAttribute('data-voted'), [chinaMinute(d.cast.at), unit.getAttribute('data-ch-' + d.cast.channel) || d.cast.channel]));
        if (d.pending.length) lines.push(fill(unit.getAttribute('data-pending'), [d.pending.length]));
        unit.textContent = '';
        lines.forEach(function (l) {
          var p = document.createElement('span');
          p.className = 'paper-unit-line';
          p.textContent = l;
          unit.appendChild(p);
          unit.appendChild(document.createElement('br'));
        });
      }
      unit.classList.remove('empty');
    });
  }
  ref.addEventListener('change', lookup);
  ref.addEventListener('blur', lookup);
  ref.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') lookup(); });
  form.addEventListener('reset', function () { asked = ''; unit.classList.add('empty'); });

  // The camera, where the page may use one (a secure context).
  var box = document.getElementById('paper-camera');
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  box.hidden = false;
  var button = document.getElementById('paper-camera-button');
  var video = document.getElementById('paper-video');
  var problem = document.getElementById('paper-camera-error');
  var label = button.textContent;
  var stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
    button.textContent = label;
  }

  function found(text) {
    stop();
    ref.value = text;
    lookup();
    var first = document.querySelector('#paper-choices input');
    if (first) first.focus();
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = '/static/jsqr.js';
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  // decoder resolves to a function from the video to a promise of the
  // code's text, or null when this frame shows none.
  function decoder() {
    if ('BarcodeDetector' in window) {
      var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      return Promise.resolve(function () {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      });
    }
    var canvas = document.createElement('canvas');
    var ctx = canvas.getContext('2d', { willReadFrequently: true });
    return loadJsQR().then(function () {
      return function () {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  button.addEventListener('click', function () {
    if (stream) { stop(); return; }
    problem.hidden = true;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      button.textContent = button.getAttribute('data-stop');
      return video.play().then(decoder).then(function (decode) {
        var tick = function () {
          if (!stream) return;
          if (video.readyState < 2) { setTimeout(tick, 150); return; }
          decode().then(function (text) {
            if (text) found(text);
            else setTimeout(tick, 150);
          }, function () { setTimeout(tick, 300); });
        };
        tick();
      });
    }).catch(function (err) {
      stop();
      problem.textContent = (document.documentElement.lang === 'en'
        ? 'The camera cannot be used' : '无法使用相机') +
        (document.documentElement.lang === 'en' ? ': type the ballot code instead.' : '，请改为输入选票码。');
      problem.hidden = false;
    });
  });
})();
