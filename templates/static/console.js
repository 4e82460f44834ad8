// Gongjue console: every state change calls the JSON API (DESIGN §8) with
// the session cookie and the X-CSRF-Token header read from the gongjue_csrf
// cookie. A refused request leaves the form as it was typed and shows the
// API's message, with its per-field or per-row details, next to the form.
// No build step: plain JavaScript, loaded with defer.
(function () {
  'use strict';

  var EN = document.documentElement.lang === 'en';
  function pick(zh, en) { return EN ? en : zh; }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)gongjue_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : '';
  }

  // api sends a request and resolves to {ok, status, data, error}; it never
  // rejects, so callers need only look at ok.
  function api(method, url, body) {
    var opts = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json', 'X-CSRF-Token': csrfToken() } };
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (resp.ok) return { ok: true, status: resp.status, data: data };
        var err = data && data.error ? data.error : { message: pick('请求失败（' + resp.status + '）', 'The request failed (' + resp.status + ')') };
        if (resp.status === 401) err.message = pick('登录已过期，请刷新页面重新登录。', 'Your login has expired: reload the page and log in again.') + ' (' + err.message + ')';
        return { ok: false, status: resp.status, error: err };
      });
    }, function () {
      return { ok: false, status: 0, error: { message: pick('无法连接服务器，请检查网络后重试。', 'Cannot reach the server: check the network and try again.') } };
    });
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }

  // errorBox finds where a form's or button's messages go.
  function errorBox(scope) {
    var box = scope.querySelector('.form-error');
    if (!box && scope.closest) {
      var holder = scope.closest('[data-errors]') || scope.parentElement;
      box = holder ? holder.querySelector('.form-error') : null;
    }
    if (!box) {
      box = el('div', { 'class': 'form-error', role: 'alert' });
      scope.appendChild(box);
    }
    return box;
  }

  function clearErrors(scope) {
    scope.querySelectorAll('[aria-invalid]').forEach(function (f) { f.removeAttribute('aria-invalid'); });
    scope.querySelectorAll('.field-error').forEach(function (f) { f.remove(); });
    var box = scope.querySelector('.form-error');
    if (box) { box.hidden = true; box.textContent = ''; }
  }

  // fieldFor finds the input a field detail names: by data-field, then name.
  // A name such as matters[0].options[2] falls back to matters[0].options.
  function fieldFor(scope, name) {
    if (!name) return null;
    var all = scope.querySelectorAll('[data-field]');
    for (var n = String(name); n; n = n.replace(/(\[\d+\]|\.[^.\[]*)$/, '')) {
      for (var i = 0; i < all.length; i++) if (all[i].getAttribute('data-field') === n) return all[i];
      var aliased = scope.querySelectorAll('[data-aliases]');
      for (var j = 0; j < aliased.length; j++) if (aliased[j].getAttribute('data-aliases').split(' ').indexOf(n) >= 0) return aliased[j];
      var byName = scope.querySelector('[name="' + n.replace(/"/g, '') + '"]');
      if (byName) return byName;
      if (!/(\[\d+\]|\.[^.\[]*)$/.test(n)) break;
    }
    return null;
  }

  // showError writes an API error into scope: the message, then a table of
  // row problems (a refused roll) or a list of field problems, each field
  // problem also placed under its input.
  // local keeps the page's language of an API text written "中文 / English".
  function local(text) {
    text = String(text || '');
    var i = text.indexOf(' / ');
    if (i < 0) return text;
    return EN ? text.slice(i + 3) : text.slice(0, i);
  }

  function showError(scope, err) {
    clearErrors(scope);
    var box = errorBox(scope);
    box.hidden = false;
    var message = local(err.message) || pick('操作失败', 'Failed');
    // A message naming one field ("title: 必填") names it as the page does.
    (Array.isArray(err.details) ? err.details : []).forEach(function (d) {
      var name = d && d.field;
      if (name && message.indexOf(name + ': ') === 0) {
        var input = fieldFor(scope, name);
        if (input && input.getAttribute('data-label')) message = input.getAttribute('data-label') + pick('：', ': ') + message.slice(name.length + 2);
      }
    });
    box.appendChild(el('p', { 'class': 'error-message', text: message }));
    var details = Array.isArray(err.details) ? err.details : [];
    var rows = details.filter(function (d) { return d && typeof d === 'object' && 'row' in d; });
    var others = details.filter(function (d) { return rows.indexOf(d) < 0; });
    if (rows.length) {
      var tbody = el('tbody');
      rows.forEach(function (d) {
        tbody.appendChild(el('tr', null, [
          el('td', { 'class': 'num', text: d.row ? String(d.row) : '—' }),
          el('td', { text: d.column || '—' }),
          el('td', { text: local(d.message) })]));
      });
      box.appendChild(el('div', { 'class': 'table-wrap' }, [el('table', { 'class': 'problems' }, [
        el('thead', null, [el('tr', null, [el('th', { 'class': 'num', text: pick('行', 'Row') }), el('th', { text: pick('列', 'Column') }), el('th', { text: pick('问题', 'Problem') })])]),
        tbody])]));
    }
    if (others.length) {
      var ul = el('ul', { 'class': 'problems' });
      others.forEach(function (d) {
        var text = local(typeof d === 'string' ? d : (d.message || JSON.stringify(d)));
        var name = d && (d.field || d.item);
        var input = name ? fieldFor(scope, name) : null;
        if (input) {
          input.setAttribute('aria-invalid', 'true');
          var label = input.getAttribute('data-label') || name;
          input.insertAdjacentElement('afterend', el('p', { 'class': 'field-error', text: text }));
          ul.appendChild(el('li', { text: label + '：' + text }));
        } else {
          ul.appendChild(el('li', { text: (name ? name + '：' : '') + text }));
        }
      });
      box.appendChild(ul);
    }
    box.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    var first = scope.querySelector('[aria-invalid="true"]');
    if (first && first.focus) first.focus({ preventScroll: true });
  }

  function showOK(scope, message) {
    var box = scope.querySelector('.form-ok');
    if (!box) { box = el('div', { 'class': 'form-ok', role: 'status' }); scope.appendChild(box); }
    box.hidden = false;
    box.textContent = message;
  }

  function busy(button, on) {
    if (!button) return;
    button.disabled = on;
    button.classList.toggle('busy', on);
  }

  function fill(template, data) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return data && data[k] != null ? encodeURIComponent(data[k]) : ''; });
  }

  // after runs a form's or button's data-done: reload, goto:URL (with {id}
  // filled from the answer), or a named handler.
  function after(done, data, scope) {
    if (!done || done === 'reload') { location.reload(); return; }
    if (done.indexOf('goto:') === 0) { location.assign(fill(done.slice(5), data)); return; }
    if (done.indexOf('refresh:') === 0) {
      var node = document.getElementById(done.slice(8));
      if (node) refreshFragment(node); else location.reload();
      return;
    }
    var fn = handlers[done];
    if (fn) fn(data, scope);
  }

  var handlers = {};

  // Forms marked data-api post themselves to the API: multipart when they
  // carry a file, JSON of their named fields otherwise.
  function formJSON(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) {
      if (k === '_csrf') return;
      var input = form.elements[k];
      if (input && input.type === 'checkbox') { out[k] = true; return; }
      out[k] = typeof v === 'string' ? v.trim() : v;
    });
    return out;
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.matches('form[data-api]')) return;
    ev.preventDefault();
    var button = form.querySelector('[type=submit]');
    clearErrors(form);
    var hide = form.querySelector('.form-ok'); if (hide) hide.hidden = true;
    var body = form.enctype === 'multipart/form-data' ? new FormData(form) : formJSON(form);
    if (body instanceof FormData) body.delete('_csrf');
    busy(button, true);
    api(form.getAttribute('data-method') || 'POST', form.getAttribute('data-api'), body).then(function (r) {
      busy(button, false);
      if (!r.ok) { showError(form, r.error); return; }
      after(form.getAttribute('data-done'), r.data, form);
    });
  });

  // Buttons marked data-post make one API call, after an optional confirm.
  document.addEventListener('click', function (ev) {
    var button = ev.target.closest('button[data-post]');
    if (!button) return;
    ev.preventDefault();
    var ask = button.getAttribute('data-confirm');
    if (ask && !window.confirm(ask)) return;
    var scope = button.closest('[data-errors]') || button.parentElement;
    clearErrors(scope);
    var body;
    if (button.hasAttribute('data-body')) {
      try { body = JSON.parse(button.getAttribute('data-body')); } catch (e) { body = {}; }
    }
    busy(button, true);
    api('POST', button.getAttribute('data-post'), body).then(function (r) {
      busy(button, false);
      if (!r.ok) { showError(scope, r.error); return; }
      after(button.getAttribute('data-done'), r.data, scope);
    });
  });

  // The roll import: the summary of what changed, or the refused rows.
  // An opened sealed record (unit history): the choices, matter by matter.
  handlers.sealed = function (data, form) {
    var out = form.querySelector('.sealed-result');
    out.textContent = '';
    out.appendChild(el('p', { text: pick('已开启，本次开启已记入审计：', 'Opened; this opening is audited:') }));
    out.appendChild(el('ul', { 'class': 'sealed-choices' }, (data.matters || []).map(function (m) {
      return el('li', { text: m.title + pick('：', ': ') + (m.words.length ? m.words.map(function (w) { return pick(w.zh, w.en); }).join(pick('、', ', ')) : '—') });
    })));
    out.hidden = false;
  };

  handlers.roll = function (data, form) {
    var out = document.getElementById('roll-result');
    var t = document.getElementById('roll-summary-template');
    if (!out || !t) { location.reload(); return; }
    var node = t.content.cloneNode(true);
    ['units', 'persons', 'zones', 'added', 'changed', 'removed'].forEach(function (k) {
      var span = node.querySelector('[data-k="' + k + '"]');
      if (span) span.textContent = Number(data[k] || 0).toLocaleString('zh-CN');
    });
    out.innerHTML = '';
    out.appendChild(node);
    out.hidden = false;
    form.reset();
    var zones = document.getElementById('zones');
    if (zones) refreshFragment(zones);
  };

  // A reset password: said on the form itself, in the page's words.
  handlers.password = function (data, form) {
    form.reset();
    showOK(form, form.getAttribute('data-ok'));
  };

  handlers.account = function (data, form) {
    showOK(form, pick('账号已创建：', 'Account created: ') + (form.elements.username ? form.elements.username.value : ''));
    form.reset();
    var list = document.getElementById('accounts');
    if (list) refreshFragment(list);
  };

  // refreshFragment re-reads a part of the page from the server without
  // reloading it: the element's data-fragment URL answers its new HTML.
  function refreshFragment(node) {
    var url = node.getAttribute('data-fragment');
    if (!url) { location.reload(); return Promise.resolve(); }
    return fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } }).then(function (resp) {
      if (!resp.ok) throw new Error(String(resp.status));
      return resp.text();
    }).then(function (html) {
      node.innerHTML = html;
      node.removeAttribute('data-stale');
    }).catch(function () {
      node.setAttribute('data-stale', 'true');
    });
  }

  // Parts marked data-poll refresh themselves every N seconds while the
  // page is visible.
  document.querySelectorAll('[data-poll]').forEach(function (node) {
    var every = Math.max(3, Number(node.getAttribute('data-poll')) || 10) * 1000;
    setInterval(function () {
      // Never replace a part while someone is typing in it.
      if (document.hidden || node.contains(document.activeElement) && document.activeElement.matches('input, textarea, select')) return;
      refreshFragment(node);
    }, every);
  });

  // Selects marked data-autosubmit submit their (GET) form when changed;
  // data-clears names a field of the form to empty first.
  document.addEventListener('change', function (ev) {
    var t = ev.target;
    if (!t.matches || !t.matches('[data-autosubmit]')) return;
    var clear = t.getAttribute('data-clears');
    if (clear && t.form.elements[clear]) t.form.elements[clear].value = '';
    t.form.submit();
  });

  // A building select fills its entrance select (data-entrance-select) from
  // the chosen option's data-entrances, keeping an "every entrance" first.
  function fillEntranceSelect(sel) {
    var target = document.getElementById(sel.getAttribute('data-entrance-select'));
    if (!target) return;
    var first = target.options[0] && target.options[0].value === '' ? target.options[0] : null;
    target.innerHTML = '';
    if (first) target.appendChild(first);
    var opt = sel.options[sel.selectedIndex];
    (opt ? (opt.getAttribute('data-entrances') || '').split('|') : []).forEach(function (e) {
      if (e) target.appendChild(el('option', { value: e, text: e + pick(' 单元', '') }));
    });
  }
  document.querySelectorAll('select[data-entrance-select]').forEach(function (sel) {
    fillEntranceSelect(sel);
    sel.addEventListener('change', function () { fillEntranceSelect(sel); });
  });

  // Plain forms (logging out) carry the CSRF token; a page reached from
  // another site was rendered without it, so take it from the cookie.
  document.querySelectorAll('input[name=_csrf]').forEach(function (i) { if (!i.value) i.value = csrfToken(); });

  // Print buttons.
  document.addEventListener('click', function (ev) {
    if (ev.target.closest('[data-print]')) { ev.preventDefault(); window.print(); }
  });


  // ---- New consultation: matters, scope picker with the thresholds the
  // server computes for the scope, veto, dates, preview, then create (and
  // open). Nothing is sent until the committee confirms the preview.
  function initBuilder() {
    var form = document.getElementById('consultation-form');
    if (!form) return;
    var cid = form.getAttribute('data-community');
    var figures = JSON.parse(document.getElementById('scope-initial').textContent || '{}');
    var mattersBox = document.getElementById('matters');
    var tmpl = document.getElementById('matter-template');
    var preview = document.getElementById('preview');
    var uid = 0;

    function checkedValue(root, selector) {
      var c = root.querySelector(selector + ':checked');
      return c ? c.value : '';
    }

    function matterKind(m) { return checkedValue(m, '.m-kinds input'); }

    function updateMatter(m) {
      var kind = matterKind(m);
      m.querySelector('.m-options-box').hidden = kind === 'approve';
      m.querySelector('.m-seats-box').hidden = kind !== 'election';
      m.querySelector('.m-mode-box').hidden = kind !== 'choice';
      m.querySelector('.m-options-label-choice').hidden = kind !== 'choice';
      m.querySelector('.m-options-label-election').hidden = kind !== 'election';
      var custom = isCustom(m);
      m.querySelector('.m-custom-box').hidden = !custom;
      renumber();
      if (custom) { startCustom(m); loadCustomRule(m); return; }
      showRule(m, figures.rules && figures.rules[m.querySelector('.m-rules').value], null);
    }

    // showRule writes a rule's figures, or the server's refusal of a custom
    // rule, under the matter's rule.
    function showRule(m, rule, err) {
      m.ruleFigure = rule;
      m.querySelector('.t-part').textContent = rule ? pick('参与：', 'Participation: ') + rule.participation.text : '';
      m.querySelector('.t-approve').textContent = rule ? rule.approval.text : '';
      var e = m.querySelector('.t-error');
      e.hidden = !err;
      e.textContent = err ? local(err.message) : '';
    }

    // A custom rule: the category it may not be looser than, and its four
    // fractions, which start from the estate's thresholds for the category.
    function isCustom(m) { return m.querySelector('.m-rules').value === 'custom'; }

    function startCustom(m) {
      var start = figures.rules && figures.rules[m.querySelector('.m-category').value];
      m.querySelectorAll('.m-fraction').forEach(function (f) {
        if (f.value || !start) return;
        var path = f.getAttribute('data-rule').split('.');
        f.value = start.rule[path[0]][path[1]];
      });
    }

    function customRule(m) {
      var r = { participation: {}, approval: {} };
      m.querySelectorAll('.m-fraction').forEach(function (f) {
        var path = f.getAttribute('data-rule').split('.');
        r[path[0]][path[1]] = f.value.trim();
      });
      return r;
    }

    // loadCustomRule asks the server what the custom rule asks of the scope
    // (the page's script does no legal arithmetic) and whether it is allowed.
    function loadCustomRule(m) {
      var q = scope();
      q.category = m.querySelector('.m-category').value;
      q.rules = JSON.stringify(customRule(m));
      var seq = m.ruleSeq = (m.ruleSeq || 0) + 1;
      clearTimeout(m.ruleTimer);
      m.ruleTimer = setTimeout(function () {
        api('GET', '/console/rule?' + new URLSearchParams(q).toString()).then(function (r) {
          if (seq !== m.ruleSeq) return;
          showRule(m, r.ok ? r.data : null, r.ok ? null : r.error);
          if (!preview.hidden) renderPreview();
        });
      }, 200);
    }

    function renumber() {
      var all = mattersBox.querySelectorAll('.matter-form');
      all.forEach(function (m, i) {
        m.querySelector('.matter-no').textContent = pick('事项 ', 'Matter ') + (i + 1);
        m.querySelectorAll('[data-f]').forEach(function (f) {
          f.setAttribute('data-field', 'matters[' + i + '].' + f.getAttribute('data-f'));
        });
        // The API names a custom rule's problems matters[i].rules: they
        // belong under its fractions, not under the select.
        if (isCustom(m)) {
          m.querySelector('.m-rules').setAttribute('data-field', 'matters[' + i + '].preset');
          m.querySelector('.m-custom-box').setAttribute('data-field', 'matters[' + i + '].rules');
        }
        m.querySelector('.m-remove').hidden = all.length === 1;
      });
    }

    function addMatter(focus) {
      var node = tmpl.content.firstElementChild.cloneNode(true);
      var name = 'kind_' + (++uid);
      node.querySelectorAll('.m-kinds input').forEach(function (r) { r.name = name; });
      node.addEventListener('change', function () { updateMatter(node); });
      node.querySelector('.m-custom-box').addEventListener('input', function () { loadCustomRule(node); });
      node.querySelector('.m-remove').addEventListener('click', function () { node.remove(); renumber(); });
      mattersBox.appendChild(node);
      renumber();
      updateMatter(node);
      if (focus) node.querySelector('.m-title').focus();
    }

    // Scope.
    var zoneSel = document.getElementById('scope-zone');
    var buildingSel = document.getElementById('scope-building');
    var entranceSel = document.getElementById('scope-entrance');

    function scopeKind() { return checkedValue(form, 'input[name=scope_kind]'); }

    function fillEntrances() {
      var opt = buildingSel.options[buildingSel.selectedIndex];
      var list = opt ? (opt.getAttribute('data-entrances') || '').split('|') : [];
      entranceSel.innerHTML = '';
      list.forEach(function (e) { if (e) entranceSel.appendChild(el('option', { value: e, text: e + pick(' 单元', '') })); });
    }

    function scope() {
      switch (scopeKind()) {
        case 'zone': return { zone: zoneSel.value };
        case 'building': return { building: buildingSel.value };
        case 'entrance': return { building: buildingSel.value, entrance: entranceSel.value };
      }
      return {};
    }

    function showScopePickers() {
      var kind = scopeKind();
      form.querySelectorAll('[data-scope-for]').forEach(function (box) {
        box.hidden = box.getAttribute('data-scope-for').split(' ').indexOf(kind) < 0;
      });
    }

    var scopeSeq = 0;
    function loadScope() {
      var sc = scope();
      var q = new URLSearchParams(sc).toString();
      var seq = ++scopeSeq;
      fetch('/console/scope?' + q, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (f) {
          if (!f || seq !== scopeSeq) return;
          figures = f;
          document.getElementById('scope-summary').textContent = f.summary;
          document.getElementById('scope-figures').classList.toggle('warn', !!f.empty);
          mattersBox.querySelectorAll('.matter-form').forEach(updateMatter);
          fillVetoZones();
        });
    }

    // Veto.
    var vetoZones = document.getElementById('veto-zones');
    function vetoMode() { return checkedValue(form, 'input[name=veto_mode]') || 'none'; }
    function fillVetoZones() {
      var was = {};
      vetoZones.querySelectorAll('input:checked').forEach(function (c) { was[c.value] = true; });
      vetoZones.innerHTML = '';
      (figures.zones || []).forEach(function (z) {
        var box = el('input', { type: 'checkbox', value: z.name });
        if (was[z.name]) box.checked = true;
        vetoZones.appendChild(el('label', null, [box, ' ' + z.name]));
      });
      showVeto();
    }
    function chosenVetoZones() {
      var out = [];
      vetoZones.querySelectorAll('input:checked').forEach(function (c) { out.push(c.value); });
      return out;
    }
    function showVeto() {
      var mode = vetoMode();
      document.getElementById('veto-zones-box').hidden = mode === 'none';
      var holders = chosenVetoZones();
      var lines = document.getElementById('veto-zone-figures');
      lines.innerHTML = '';
      if (mode === 'none') return;
      lines.appendChild(el('p', { 'class': 'label', text: pick('每个有否决权的区域自身的参与要求：', 'What each veto zone must reach on its own:') }));
      (figures.zones || []).forEach(function (z) {
        if (holders.length && holders.indexOf(z.name) < 0) return;
        lines.appendChild(el('p', { text: z.text }));
      });
    }

    function rfc3339(local) {
      if (!local) return undefined;
      if (local.length === 16) local += ':00';
      return local + '+08:00';
    }

    function lines(text) {
      return text.split(/\r?\n|[，,、;；]/).map(function (s) { return s.trim(); }).filter(function (s) { return s; });
    }

    function request() {
      var req = {
        title: form.elements.title.value.trim(),
        description: form.elements.description.value.trim(),
        scope: scope(),
        veto: { mode: vetoMode() },
        opens_at: rfc3339(form.elements.opens_at.value),
        closes_at: rfc3339(form.elements.closes_at.value),
        matters: []
      };
      var zones = chosenVetoZones();
      if (req.veto.mode !== 'none' && zones.length) req.veto.zones = zones;
      if (form.hasAttribute('data-previous')) req.previous_id = Number(form.getAttribute('data-previous'));
      mattersBox.querySelectorAll('.matter-form').forEach(function (m) {
        var kind = matterKind(m);
        var matter = {
          title: m.querySelector('.m-title').value.trim(),
          description: m.querySelector('.m-description').value.trim(),
          kind: kind,
          rules: m.querySelector('.m-rules').value
        };
        if (isCustom(m)) {
          matter.category = m.querySelector('.m-category').value;
          matter.rules = customRule(m);
        }
        if (kind !== 'approve') matter.options = lines(m.querySelector('.m-options').value);
        if (kind === 'election') matter.seats = parseInt(m.querySelector('.m-seats').value, 10) || 0;
        if (kind === 'choice') matter.choice_mode = m.querySelector('.m-plurality').checked ? 'plurality' : 'approval';
        req.matters.push(matter);
      });
      return req;
    }

    function fractionsText(r) {
      return pick('参与 ', 'participation ') + r.participation.area + ' / ' + r.participation.headcount +
        pick('，同意 ', ', agreement ') + r.approval.area + ' / ' + r.approval.headcount + pick('（面积 / 人数）', ' (area / owners)');
    }

    function describeTime(v) { return v ? v.replace('T', ' ') : pick('（未填写）', '(not set)'); }

    function renderPreview() {
      var req = request();
      var body = document.getElementById('preview-body');
      body.innerHTML = '';
      var dl = el('dl', { 'class': 'facts' }, [
        el('dt', { text: pick('标题', 'Title') }), el('dd', { text: req.title || pick('（未填写）', '(not set)') }),
        el('dt', { text: pick('表决范围', 'Scope') }), el('dd', { text: figures.summary || '' }),
        el('dt', { text: pick('表决时间', 'Voting period') }), el('dd', { text: describeTime(form.elements.opens_at.value) + ' — ' + describeTime(form.elements.closes_at.value) + pick('（北京时间）', ' (China time)') }),
        el('dt', { text: pick('分区否决', 'Zone veto') }), el('dd', { text: vetoSentence(req) })
      ]);
      body.appendChild(dl);
      if (req.description) body.appendChild(el('p', { 'class': 'pre', text: req.description }));
      var ol = el('ol', { 'class': 'preview-matters' });
      var nodes = mattersBox.querySelectorAll('.matter-form');
      req.matters.forEach(function (m, i) {
        var rule = nodes[i].ruleFigure;
        var kindText = { approve: pick('同意 / 反对 / 弃权', 'agree / oppose / abstain'), choice: pick('选择一项', 'choose one'), election: pick('选举', 'election') }[m.kind];
        var li = el('li', null, [
          el('strong', { text: m.title || pick('（未填写标题）', '(no title)') }),
          el('div', { 'class': 'muted', text: kindText + (m.options ? pick('：', ': ') + m.options.join(pick('、', ', ')) : '') + (m.kind === 'election' ? pick('；应选 ', '; seats: ') + m.seats : '') + (m.choice_mode === 'plurality' ? pick('；相对多数，仅作征询', '; plurality, advisory only') : '') }),
          el('div', { text: rule ? rule.name + (typeof m.rules === 'object' ? pick('：', ': ') + fractionsText(m.rules) : '') : '' }),
          el('div', { 'class': 'threshold', text: rule ? pick('参与：', 'Participation: ') + rule.participation.text : '' }),
          el('div', { 'class': 'threshold muted', text: rule ? rule.approval.text : '' })
        ]);
        if (m.kind === 'election' && req.veto.mode !== 'none') {
          li.appendChild(el('p', { 'class': 'no-veto', text: preview.getAttribute('data-election-no-veto') }));
        }
        if (m.description) li.appendChild(el('p', { 'class': 'pre', text: m.description }));
        ol.appendChild(li);
      });
      body.appendChild(el('h3', { text: pick('表决事项', 'Matters') }));
      body.appendChild(ol);
      if (req.veto.mode !== 'none') {
        var zl = el('ul');
        (figures.zones || []).forEach(function (z) {
          if (req.veto.zones && req.veto.zones.indexOf(z.name) < 0) return;
          zl.appendChild(el('li', { text: z.text }));
        });
        body.appendChild(el('h3', { text: pick('有否决权的区域须各自达到', 'Each veto zone must reach') }));
        body.appendChild(zl);
      }
    }

    function vetoSentence(req) {
      var chosen = form.querySelector('input[name=veto_mode]:checked');
      var label = chosen ? chosen.parentElement.querySelector('strong').textContent : req.veto.mode;
      if (req.veto.mode === 'none') return label;
      return label + pick('；有否决权的区域：', '; veto zones: ') + (req.veto.zones ? req.veto.zones.join(pick('、', ', ')) : pick('全部区域', 'every zone'));
    }

    function create(andOpen) {
      var req = request();
      var openB = document.getElementById('open-button'), draftB = document.getElementById('draft-button');
      clearErrors(form);
      busy(openB, true); busy(draftB, true);
      var draft = form.getAttribute('data-draft');
      var call = draft ? api('PATCH', '/api/v1/consultations/' + draft, req) : api('POST', '/api/v1/communities/' + cid + '/consultations', req);
      call.then(function (r) {
        if (!r.ok) {
          busy(openB, false); busy(draftB, false);
          showError(form, r.error);
          return;
        }
        var id = draft || r.data.id;
        if (!andOpen) { location.assign('/console/consultations/' + id + '?created=1'); return; }
        api('POST', '/api/v1/consultations/' + id + '/open').then(function (o) {
          location.assign('/console/consultations/' + id + (o.ok ? '?opened=1' : '?open_failed=1'));
        });
      });
    }

    form.addEventListener('change', function (ev) {
      var t = ev.target;
      if (t.name === 'scope_kind') { showScopePickers(); loadScope(); }
      else if (t === buildingSel) { fillEntrances(); loadScope(); }
      else if (t === zoneSel || t === entranceSel) loadScope();
      else if (t.name === 'veto_mode' || vetoZones.contains(t)) showVeto();
      if (!preview.hidden) renderPreview();
    });
    form.addEventListener('input', function () { if (!preview.hidden) renderPreview(); });
    form.addEventListener('submit', function (ev) { ev.preventDefault(); });
    document.getElementById('add-matter').addEventListener('click', function () { addMatter(true); });
    document.getElementById('preview-button').addEventListener('click', function () {
      renderPreview();
      preview.hidden = false;
      preview.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
    document.getElementById('edit-button').addEventListener('click', function () {
      preview.hidden = true;
      form.elements.title.focus();
    });
    document.getElementById('open-button').addEventListener('click', function () { create(true); });
    document.getElementById('draft-button').addEventListener('click', function () { create(false); });

    // Editing a draft: fill the form in from it.
    function loadDraft(d) {
      form.elements.title.value = d.title || '';
      form.elements.description.value = d.description || '';
      var sc = d.scope || {};
      var kind = sc.entrance ? 'entrance' : sc.building ? 'building' : sc.zone ? 'zone' : 'estate';
      form.querySelector('input[name=scope_kind][value="' + kind + '"]').checked = true;
      if (sc.zone) zoneSel.value = sc.zone;
      if (sc.building) { buildingSel.value = sc.building; fillEntrances(); }
      if (sc.entrance) entranceSel.value = sc.entrance;
      (d.matters || []).forEach(function (m) {
        addMatter(false);
        var node = mattersBox.lastElementChild;
        node.querySelector('.m-title').value = m.title || '';
        node.querySelector('.m-description').value = m.description || '';
        var radio = node.querySelector('.m-kinds input[value="' + m.kind + '"]');
        if (radio) radio.checked = true;
        if (m.rules && typeof m.rules === 'object') {
          node.querySelector('.m-rules').value = 'custom';
          node.querySelector('.m-category').value = m.category === 'major' ? 'major' : 'ordinary';
          node.querySelectorAll('.m-fraction').forEach(function (f) {
            var path = f.getAttribute('data-rule').split('.');
            f.value = m.rules[path[0]][path[1]];
          });
        } else {
          node.querySelector('.m-rules').value = m.rules === 'major' || m.category === 'major' ? 'major' : 'ordinary';
        }
        node.querySelector('.m-options').value = (m.options || []).join('\n');
        if (m.seats) node.querySelector('.m-seats').value = m.seats;
        node.querySelector('.m-plurality').checked = m.choice_mode === 'plurality';
        updateMatter(node);
      });
      var veto = d.veto || { mode: 'none' };
      var mode = form.querySelector('input[name=veto_mode][value="' + (veto.mode || 'none') + '"]');
      if (mode) mode.checked = true;
      fillVetoZones();
      (veto.zones || []).forEach(function (z) {
        var box = vetoZones.querySelector('input[value="' + z.replace(/"/g, '') + '"]');
        if (box) box.checked = true;
      });
      showVeto();
    }

    fillEntrances();
    var draftJSON = document.getElementById('draft-initial');
    if (draftJSON) {
      loadDraft(JSON.parse(draftJSON.textContent));
    } else {
      addMatter(false);
      fillVetoZones();
    }
    showScopePickers();
  }
  initBuilder();


  // ---- The paper desk: a scanner types the ballot's URL and Enter, which
  // moves on to the choices instead of submitting; the entry is sent as
  // the API's "scan" (a URL, a token or a typed ballot code).
  function initPaper() {
    var form = document.getElementById('paper-form');
    if (!form) return;
    var cid = form.getAttribute('data-consultation');
    var ref = form.elements.ref;
    var spoiled = document.getElementById('paper-spoiled');
    var proxy = document.getElementById('paper-proxy');
    var choices = document.getElementById('paper-choices');

    function sync() {
      choices.querySelectorAll('input').forEach(function (i) { i.disabled = spoiled.checked; });
      choices.classList.toggle('disabled', spoiled.checked);
      document.getElementById('spoiled-box').hidden = !spoiled.checked;
      document.getElementById('proxy-box').hidden = !proxy.checked;
    }
    ref.addEventListener('keydown', function (ev) {
      if (ev.key !== 'Enter') return;
      ev.preventDefault();
      var first = choices.querySelector('input');
      if (first) first.focus();
    });
    form.addEventListener('change', function (ev) {
      var t = ev.target;
      // In an election "spoiled" excludes the candidates and back.
      var box = t.closest('.paper-matter');
      if (box && t.type === 'checkbox' && t.checked) {
        box.querySelectorAll('input').forEach(function (o) {
          if (o !== t && (t.hasAttribute('data-spoiled') || o.hasAttribute('data-spoiled'))) o.checked = false;
        });
      }
      sync();
    });
    form.addEventListener('reset', function () { setTimeout(function () { clearErrors(form); sync(); ref.focus(); }, 0); });

    function body() {
      var b = {};
      var v = ref.value.trim();
      if (v) b.scan = v;
      if (spoiled.checked) {
        b.spoiled = true;
        b.spoiled_reason = form.elements.spoiled_reason.value;
        var note = form.elements.spoiled_note.value.trim();
        if (note) b.note = note;
      } else {
        b.choices = {};
        choices.querySelectorAll('.paper-matter').forEach(function (fs) {
          var id = fs.getAttribute('data-matter');
          var picked = [];
          fs.querySelectorAll('input:checked').forEach(function (i) { picked.push(i.value); });
          if (fs.getAttribute('data-kind') === 'election') b.choices[id] = picked;
          else if (picked.length) b.choices[id] = picked[0];
        });
      }
      if (proxy.checked) b.proxy = { name: form.elements.proxy_name.value.trim(), id_number: form.elements.proxy_id_number.value.trim(), authorisation: form.elements.proxy_authorisation.value.trim() };
      return b;
    }

    // The originals go up once the entry exists, the ballot's scan first;
    // the answer is the first refusal, or nothing.
    function attach(entry) {
      var files = [['ballot', document.getElementById('paper-scan')]];
      if (proxy.checked) files.push(['authorisation', document.getElementById('proxy-scan')]);
      return files.reduce(function (prev, f) {
        return prev.then(function (failed) {
          if (failed || !f[1].files.length) return failed;
          var fd = new FormData();
          fd.append('file', f[1].files[0]);
          return api('POST', '/api/v1/paper/' + entry + '/original?kind=' + f[0], fd).then(function (r) { return r.ok ? null : r.error; });
        });
      }, Promise.resolve(null));
    }

    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var button = document.getElementById('paper-submit');
      clearErrors(form);
      document.getElementById('paper-ok').hidden = true;
      busy(button, true);
      api('POST', '/api/v1/consultations/' + cid + '/paper', body()).then(function (r) {
        if (!r.ok) { busy(button, false); showError(form, r.error); return; }
        var d = r.data || {};
        attach(d.entry_id).then(function (failed) {
          busy(button, false);
          if (failed) {
            failed.message = pick('已录入房屋 ' + d.unit + '，但原件未能上传：', 'Unit ' + d.unit + ' was entered but its original was refused: ') + failed.message;
            showError(form, failed);
            var q = document.getElementById('paper-queue');
            if (q) refreshFragment(q);
            return;
          }
          entered(d);
        });
      });
    });

    function entered(d) {
      var msg = pick('已录入房屋 ' + d.unit + '（选票码 ' + d.code + '），等待另一位志愿者核对确认。', 'Entered unit ' + d.unit + ' (ballot code ' + d.code + '); waiting for another volunteer to confirm it.');
      if (d.other_pending && d.other_pending.length) msg += pick(' 注意：该房屋还有 ' + d.other_pending.length + ' 条待确认的录入，核对时只确认正确的一条。', ' Note: this unit has ' + d.other_pending.length + ' other entries waiting; confirm only the right one.');
      form.reset();
      showOK(form, msg);
      var ok = document.getElementById('paper-ok');
      ok.textContent = msg; ok.hidden = false;
      var queue = document.getElementById('paper-queue');
      if (queue) refreshFragment(queue);
    }
    sync();
  }
  initPaper();

  // ---- The delivery ledger's bulk entry: the ticked units of one
  // stairwell, each with its recipient, in one request.
  function initBulkDeliveries() {
    var form = document.getElementById('bulk-form');
    if (!form) return;
    var rows = form.querySelectorAll('tr[data-unit]');
    document.getElementById('bulk-all').addEventListener('click', function () {
      var all = Array.prototype.every.call(rows, function (r) { return r.querySelector('.bulk-pick').checked; });
      rows.forEach(function (r) { r.querySelector('.bulk-pick').checked = !all; });
    });
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var button = document.getElementById('bulk-submit');
      clearErrors(form);
      var units = [];
      rows.forEach(function (r) {
        var ticked = r.querySelector('.bulk-pick'), recipient = r.querySelector('.bulk-recipient');
        // The API names a refused unit by its place in the request.
        ticked.removeAttribute('data-field'); recipient.removeAttribute('data-field');
        if (!ticked.checked) return;
        ticked.setAttribute('data-field', 'units[' + units.length + '].unit');
        recipient.setAttribute('data-field', 'units[' + units.length + '].recipient');
        units.push({ unit: r.getAttribute('data-unit'), recipient: recipient.value.trim() });
      });
      // The console shows and takes times in China Standard Time, as the
      // default the server filled in.
      var at = form.elements.delivered_at.value;
      var body = { building: form.getAttribute('data-building'), entrance: form.getAttribute('data-entrance'),
        method: form.elements.method.value, delivered_at: at ? at + (at.length === 16 ? ':00' : '') + '+08:00' : null,
        note: form.elements.note.value.trim(), units: units };
      busy(button, true);
      api('POST', '/api/v1/consultations/' + form.getAttribute('data-consultation') + '/deliveries/bulk', body).then(function (r) {
        busy(button, false);
        if (!r.ok) { showError(form, r.error); return; }
        after(form.getAttribute('data-done'), r.data, form);
      });
    });
  }
  initBulkDeliveries();

  // ---- Rules of procedure: the adopted text and the settings JSON of
  // §3.6, a setting left at its default left out of it.
  function initProcedureForm() {
    var form = document.getElementById('procedure-form');
    if (!form) return;
    function put(out, key, value) {
      var path = key.split('.'), at = out;
      path.slice(0, -1).forEach(function (p) { at = at[p] = at[p] || {}; });
      at[path[path.length - 1]] = value;
    }
    function settings() {
      var out = {};
      // A rule with any fraction typed is sent whole, blanks as Article 278's.
      var rules = {};
      form.querySelectorAll('input.fraction').forEach(function (i) {
        var k = i.getAttribute('data-key');
        rules[k] = rules[k] || { typed: false, parts: [] };
        if (i.value.trim()) rules[k].typed = true;
        rules[k].parts.push([i.getAttribute('data-part'), i.value.trim() || i.getAttribute('data-default')]);
      });
      Object.keys(rules).forEach(function (k) {
        if (rules[k].typed) rules[k].parts.forEach(function (p) { put(out, k + '.' + p[0], p[1]); });
      });
      form.querySelectorAll('fieldset.setting').forEach(function (f) {
        var picked = f.querySelector('input[type=radio]:checked');
        if (picked && picked.value) put(out, f.getAttribute('data-key'), JSON.parse(picked.value));
      });
      form.querySelectorAll('input.days').forEach(function (i) {
        var v = i.value.trim();
        if (v) put(out, i.getAttribute('data-key'), /^-?\d+$/.test(v) ? Number(v) : v);
      });
      var methods = form.querySelectorAll('input.delivery-method');
      var ticked = Array.prototype.filter.call(methods, function (m) { return m.checked; }).map(function (m) { return m.value; });
      if (ticked.length < methods.length) out.delivery_methods = ticked;
      return out;
    }
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var button = document.getElementById('procedure-submit');
      clearErrors(form);
      var body = new FormData();
      var file = form.elements.original.files[0];
      if (file) body.append('original', file);
      body.append('settings', JSON.stringify(settings()));
      busy(button, true);
      api('POST', '/api/v1/communities/' + form.getAttribute('data-community') + '/procedures', body).then(function (r) {
        busy(button, false);
        if (!r.ok) { showError(form, r.error); return; }
        location.reload();
      });
    });
  }
  initProcedureForm();

  window.gongjue = { api: api, showError: showError, clearErrors: clearErrors, showOK: showOK, busy: busy, el: el, pick: pick, handlers: handlers, refreshFragment: refreshFragment, after: after };
})();
