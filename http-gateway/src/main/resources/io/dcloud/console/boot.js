// The console's modules load as one graph: when any of them cannot be fetched (a connection dropped,
// the browser's network changed mid-load), none runs and the page would say "Loading…" for ever. A
// classic script (the page's policy allows no inline ones) hears the module's failure, reloads a few
// times with a growing pause, then says what happened and offers a reload. app.js clears the count.
(function () {
  'use strict';
  var KEY = 'dcloud-console-load-retries';
  var RETRIES = 3;

  function retries() {
    try {
      return Number(sessionStorage.getItem(KEY)) || 0;
    } catch (unavailable) {
      return RETRIES;
    }
  }

  function remember(count) {
    try {
      sessionStorage.setItem(KEY, String(count));
    } catch (unavailable) {
      // Without storage the console cannot count its reloads: it offers one instead.
    }
  }

  function explain() {
    var main = document.getElementById('main');
    var box = document.createElement('div');
    box.className = 'error';
    box.setAttribute('role', 'alert');
    box.id = 'load-failed';
    var text = document.createElement('p');
    text.textContent = 'The console could not load its scripts from the gateway (the connection dropped or the '
      + 'network changed). Check that the gateway is reachable, then reload.';
    var reload = document.createElement('button');
    reload.type = 'button';
    reload.textContent = 'Reload';
    reload.addEventListener('click', function () {
      remember(0);
      location.reload();
    });
    box.append(text, reload);
    main.replaceChildren(box);
  }

  window.addEventListener('error', function (event) {
    var script = event.target;
    if (!(script instanceof HTMLScriptElement) || script.type !== 'module') {
      return;
    }
    var count = retries();
    if (count < RETRIES) {
      remember(count + 1);
      setTimeout(function () { location.reload(); }, 500 * (count + 1));
    } else if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', explain);
    } else {
      explain();
    }
  }, true);
})();
