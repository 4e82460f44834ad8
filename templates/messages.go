package templates

// messages are the page texts: key → {Simplified Chinese, English}. Each
// area of the site keeps its texts in its own messages_AREA.go file and adds
// them with register.
var messages = map[string][2]string{}

// register adds texts, refusing a key defined twice.
func register(texts map[string][2]string) {
	for k, v := range texts {
		if _, dup := messages[k]; dup {
			panic("templates: message " + k + " defined twice")
		}
		messages[k] = v
	}
}

func init() { register(commonMessages) }

var commonMessages = map[string][2]string{
	"app.name":           {"共决", "Gongjue"},
	"app.tagline":        {"业主大会电子表决", "Owners' assembly e-voting"},
	"lang.switch":        {"English", "中文"},
	"error.title":        {"出错了", "Something went wrong"},
	"error.back_vote":    {"返回投票页", "Back to the ballot"},
	"error.back_console": {"返回控制台", "Back to the console"},
	"error.back_home":    {"返回首页", "Back to the start page"},
	"error.not_found":    {"没有这个页面。请核对地址，或从下面的链接继续。", "There is no such page. Check the address, or go on from the link below."},
	"nav.logout":         {"退出登录", "Log out"},
	"footer.legal":       {"依据《民法典》第二百七十八条", "Under Article 278 of the Civil Code"},
}
