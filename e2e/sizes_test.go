package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// phoneSizes lists what on the page is smaller than the vote page's sizes
// on a phone: visible text under 18 px, and buttons, links, inputs and
// selects under 44 px tall.
const phoneSizes = `(() => {
  const out = [];
  const seen = (n) => { const r = n.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(n).visibility !== 'hidden'; };
  for (const n of document.body.querySelectorAll('*')) {
    if (!seen(n)) continue;
    const own = [...n.childNodes].some(c => c.nodeType === 3 && c.textContent.trim() !== '');
    const px = parseFloat(getComputedStyle(n).fontSize);
    if (own && px < 18) out.push('text ' + px + 'px: ' + n.tagName.toLowerCase() + ' "' + n.textContent.trim().slice(0, 40) + '"');
    if (n.matches('button, a, input:not([type=radio]):not([type=checkbox]):not([type=hidden]), select, summary') && n.getBoundingClientRect().height < 44)
      out.push('target ' + Math.round(n.getBoundingClientRect().height) + 'px: ' + n.tagName.toLowerCase() + ' "' + (n.textContent || n.name || '').trim().slice(0, 40) + '"');
  }
  return out;
})()`

// meetsPhoneSizes fails the test when anything on the page is smaller than
// the vote page's sizes (text ≥ 18 px, targets ≥ 44 px).
func (p *person) meetsPhoneSizes(where string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](phoneSizes))
	if err != nil {
		p.fail("measuring "+where, err)
	}
	if len(small) > 0 {
		p.t.Errorf("%s: %s is smaller than the vote page's sizes on a phone:\n%s", p.name, where, strings.Join(small, "\n"))
	}
}

// startWalk starts the browser of a walk through the console and where its
// screenshots go.
func startWalk(t *testing.T) (context.Context, *shots) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return startBrowser(t, ctx), newShots(t)
}

// asPhone makes the person's tab a phone's screen (390×844).
func (p *person) asPhone() {
	p.t.Helper()
	p.do("phone size", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
}
