/*
 * The panel's only script, served from /admin/assets/panel.js (the CSP allows no inline code).
 * Plain browser JavaScript: fetch, closest, dataset. Every text it shows goes in with
 * textContent, never innerHTML.
 */
'use strict';
(function () {
  var FINAL = { succeeded: true, failed: true };

  function say(text, isError) {
    var el = document.querySelector('[data-role=message]');
    if (!el) return;
    el.textContent = text;
    el.className = isError ? 'message error' : 'message';
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (res) {
      return res
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (!res.ok) throw new Error((data.error && data.error.message) || 'HTTP ' + res.status);
          return data;
        });
    });
  }

  function setStatus(row, status) {
    var cell = row.querySelector('[data-role=status]');
    if (!cell) return;
    cell.textContent = status;
    cell.setAttribute('data-status', status);
  }

  function sleep(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  // Follows a re-queued delivery until it settles (at most ~5 minutes).
  async function watch(row, id) {
    for (var i = 0; i < 300; i++) {
      await sleep(1000);
      try {
        var d = await request('GET', '/admin/api/deliveries/' + encodeURIComponent(id));
        setStatus(row, d.status);
        if (FINAL[d.status]) return;
      } catch {
        /* a failed poll is retried */
      }
    }
  }

  var actions = {
    retry: async function (button) {
      var id = button.getAttribute('data-delivery-id');
      var row = button.closest('tr');
      var result = await request('POST', '/admin/api/deliveries/' + encodeURIComponent(id) + '/retry', {});
      if (!result.deliveries.length) return say('Nothing to retry: the delivery has succeeded meanwhile.');
      setStatus(row, result.deliveries[0].status);
      say('Delivery ' + id + ' re-queued.');
      await watch(row, id);
    },
    'retry-matching': async function (button) {
      var count = button.getAttribute('data-count');
      if (!window.confirm('Re-queue all ' + count + ' failed deliveries matching these filters?')) return;
      var body = {};
      if (button.getAttribute('data-destination-id')) body.destinationId = button.getAttribute('data-destination-id');
      if (button.getAttribute('data-error-code')) body.errorCode = button.getAttribute('data-error-code');
      var result = await request('POST', '/admin/api/deliveries/retry-matching', body);
      say(result.requeued + ' deliveries re-queued.');
      var rows = document.querySelectorAll('table.failed tr[data-delivery-id]');
      await Promise.all(
        Array.prototype.map.call(rows, function (row) {
          setStatus(row, 'queued');
          return watch(row, row.getAttribute('data-delivery-id'));
        }),
      );
    },
    'test-connection': async function (button) {
      var out = button.parentElement.querySelector('[data-role=test-result]');
      out.textContent = 'testing…';
      var r = await request('POST', '/admin/api/destinations/' + encodeURIComponent(button.getAttribute('data-destination-id')) + '/test', {});
      out.textContent = r.ok
        ? 'ok (' + r.latencyMs + ' ms' + (r.statusCode ? ', HTTP ' + r.statusCode : '') + ')'
        : 'failed: ' + (r.error ? r.error.code + ' ' + r.error.message : 'unknown error');
      out.setAttribute('data-ok', String(r.ok));
    },
    // The clipboard API needs a secure context; selecting the text and copying works everywhere else.
    copy: async function (button) {
      var text = button.getAttribute('data-copy');
      try {
        await navigator.clipboard.writeText(text);
      } catch {
        var range = document.createRange();
        range.selectNodeContents(button.parentElement.querySelector('code'));
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        document.execCommand('copy');
      }
      say('Copied ' + text);
    },
    'resume-destination': async function (button) {
      var cell = button.closest('[data-role=health]');
      var r = await request('POST', '/admin/api/destinations/' + encodeURIComponent(button.getAttribute('data-destination-id')) + '/resume', {});
      cell.innerHTML = '';
      var state = document.createElement('span');
      state.setAttribute('data-role', 'health-state');
      state.className = 'good';
      state.textContent = r.state || 'active';
      cell.appendChild(state);
    },
  };

  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-action]');
    if (!button || !actions[button.getAttribute('data-action')]) return;
    button.disabled = true;
    actions[button.getAttribute('data-action')](button)
      .catch(function (err) {
        say(err.message, true);
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
