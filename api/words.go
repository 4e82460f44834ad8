package api

import (
	"gongjue/locale"
	"gongjue/postgres"
	"gongjue/procedure"
	"gongjue/templates"
)

// say picks a locale wording for a page's language.
func say(lang templates.Lang, t locale.Text) string { return t.In(lang == templates.English) }

func init() {
	pageFuncs["channelName"] = func(lang templates.Lang, ch string) string { return say(lang, locale.Channel(ch)) }
	pageFuncs["wholeEstate"] = func(lang templates.Lang) string { return say(lang, locale.Scope("", "", "")) }
	// deliveryOf says how an unvoted unit was delivered: the method and
	// standing of its record shown, or that it was not.
	pageFuncs["deliveryOf"] = func(lang templates.Lang, u postgres.MissingUnit) string {
		if u.DeliveryMethod == "" {
			return say(lang, locale.DeliveryState(string(u.Delivery)))
		}
		return methodName(lang, u.DeliveryMethod) + " · " + say(lang, locale.DeliveryState(string(u.DeliveryRecord)))
	}
}

// methodName names a delivery method for a page.
func methodName(lang templates.Lang, m procedure.DeliveryMethod) string {
	return say(lang, locale.DeliveryMethod(string(m)))
}

func init() {
	pageFuncs["deliveryMethodName"] = func(lang templates.Lang, m string) string { return say(lang, locale.DeliveryMethod(m)) }
	pageFuncs["deliveryStateName"] = func(lang templates.Lang, st string) string { return say(lang, locale.DeliveryState(st)) }
	pageFuncs["verificationName"] = func(lang templates.Lang, v string) string { return say(lang, locale.Verification(v)) }
}
