// The error page's "back" link goes back in the browser's history; without
// history (a link opened afresh) it reloads the page's address. A file of
// its own: the Content-Security-Policy runs no inline script.
document.addEventListener('click', function (ev) {
  var link = ev.target.closest && ev.target.closest('a[data-back]');
  if (link && history.length > 1) {
    ev.preventDefault();
    history.back();
  }
});
