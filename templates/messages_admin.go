package templates

func init() { register(adminMessages) }

// adminMessages are the platform admin's estates page.
var adminMessages = map[string][2]string{
	"admin.estates.title":  {"小区", "Estates"},
	"admin.estates.intro":  {"为一个小区开通共决：填写小区名称和地址，并为业委会创建第一个账号。业委会登录后导入业主名册，再为其他成员和志愿者创建账号。", "Open Gongjue for an estate: enter its name and address, and create the owners' committee's first account. The committee then logs in, imports the owners' roll and adds accounts for its other members and volunteers."},
	"admin.estates.add":    {"新建小区", "Add an estate"},
	"admin.estates.name":   {"小区名称", "Estate name"},
	"admin.estates.addr":   {"地址", "Address"},
	"admin.estates.first":  {"业委会第一个账号", "The owners' committee's first account"},
	"admin.estates.submit": {"创建小区和账号", "Create the estate and account"},
	"admin.estates.list":   {"已开通的小区", "Estates on Gongjue"},
	"admin.estates.id":     {"编号", "Id"},
	"admin.estates.none":   {"还没有小区。", "No estate yet."},
	"admin.role":           {"平台管理员", "platform admin"},
}
