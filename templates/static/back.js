// The error page's "back" link goes back in the browser's history; without
// history (a QR code scanned, a link opened afresh) it follows its href: the
// vote page, the console home or the start page. A file of
// its own: the Content-Security-Policy runs no inline script.
document.addEventListener('click', function (ev) {
  var link = ev.target.closest && ev.target.closest('a[data-back]');
  if (link && history.length > 1) {
    ev.preventDefault();
    history.back();
  }
});
