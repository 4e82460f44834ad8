package api

import (
	"gongjue/locale"
	"gongjue/templates"
)

// say picks a locale wording for a page's language.
func say(lang templates.Lang, t locale.Text) string { return t.In(lang == templates.English) }

func init() {
	pageFuncs["channelName"] = func(lang templates.Lang, ch string) string { return say(lang, locale.Channel(ch)) }
	pageFuncs["wholeEstate"] = func(lang templates.Lang) string { return say(lang, locale.Scope("", "", "")) }
}

func init() {
	pageFuncs["deliveryMethodName"] = func(lang templates.Lang, m string) string { return say(lang, locale.DeliveryMethod(m)) }
	pageFuncs["deliveryStateName"] = func(lang templates.Lang, st string) string { return say(lang, locale.DeliveryState(st)) }
	pageFuncs["verificationName"] = func(lang templates.Lang, v string) string { return say(lang, locale.Verification(v)) }
}
