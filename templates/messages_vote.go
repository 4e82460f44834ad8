package templates

func init() { register(voteMessages) }

// voteMessages are the texts of the owner's voting page (/v/{token}) and of
// the printable list of units still to visit.
var voteMessages = map[string][2]string{
	"vote.title":          {"业主表决票", "Owners' ballot"},
	"vote.unit":           {"房屋", "Unit"},
	"vote.zone":           {"区域", "Zone"},
	"vote.area":           {"专有面积", "Exclusive area"},
	"vote.code":           {"选票码", "Ballot code"},
	"vote.deadline":       {"投票截止", "Voting closes"},
	"vote.time_note":      {"北京时间", "China time"},
	"vote.how":            {"请逐项选择，然后点“下一步”核对。提交前可以修改；提交后不能更改。", "Choose for every matter, then press “Next” to check. You can change your mind until you confirm; after that the ballot cannot be changed."},
	"vote.intro":          {"表决说明", "About this vote"},
	"vote.choose_one":     {"请选择一项", "Choose one"},
	"vote.election.hint":  {"最多选 %d 人；一人也不选即为弃权", "Choose up to %d; choosing nobody abstains"},
	"vote.election.blank": {"未选任何人（弃权）", "nobody (abstain)"},
	"vote.next":           {"下一步：核对", "Next: check"},
	"vote.fix":            {"有事项未选或选择有误，请看下方红字提示。", "Some matters are not answered or not answered correctly: see the red notes below."},

	"vote.confirm.title":  {"请核对您的选择", "Please check your choices"},
	"vote.confirm.text":   {"确认后选票即计入，不能再修改。同一房屋只计最先计入的一票。", "Once confirmed the ballot is counted and cannot be changed. A unit counts only its first ballot."},
	"vote.confirm.submit": {"确认投票", "Confirm my vote"},
	"vote.confirm.edit":   {"返回修改", "Go back and change"},

	"vote.done.title":     {"投票成功", "Your vote is counted"},
	"vote.recorded.title": {"本房屋的选票", "This unit's ballot"},
	"vote.recorded.at":    {"计入时间", "Counted at"},
	"vote.recorded.how":   {"方式", "How"},
	"vote.receipt":        {"回执码", "Receipt code"},
	"vote.receipt.help":   {"请抄下或截图保存回执码。表决结束后，可凭回执码在公开记录中核对您的选票已按原样计入；回执码不会透露您的选择。", "Write down or screenshot the receipt code. With it you can check in the public log that your ballot was counted as cast; the code does not reveal your choices."},
	"vote.verify":         {"核对回执", "Check my receipt"},
	"vote.closed.title":   {"不在投票时间内", "Not open for voting"},

	"vote.bad_link": {"选票链接不完整或有误。请重新扫描选票上的二维码，或联系楼组长、业主委员会。", "This ballot link is incomplete or wrong. Scan the QR code on your ballot again, or ask your building leader or the owners' committee."},
	"vote.unknown":  {"找不到这张选票。请核对链接，或联系楼组长、业主委员会。", "No such ballot. Check the link, or ask your building leader or the owners' committee."},
	"vote.closed":   {"投票已于 %s 截止，不能再投票。", "Voting closed at %s; ballots can no longer be cast."},
	"vote.not_open": {"投票尚未开始，将于 %s 开始。届时请再扫描二维码投票。", "Voting has not started: it opens at %s. Scan the QR code again then."},
	"vote.already":  {"本房屋已于 %s 投票（%s），不能再次投票。下面是已计入的选票。", "This unit already voted at %s (%s) and cannot vote again. Below is the ballot that was counted."},
	"vote.bad_form": {"提交的内容有误，请返回重试。", "The form could not be read; go back and try again."},

	"vote.missing.title":    {"未投票房屋清单", "Units that have not voted"},
	"vote.missing.intro":    {"请两人一组上门，提醒业主在截止前投票（扫码在线投票或交回纸质票）。", "Visit in pairs and remind owners to vote before the deadline (online by QR code, or by returning the paper ballot)."},
	"vote.missing.printed":  {"打印时间", "Printed"},
	"vote.missing.turnout":  {"目前参与表决", "Turnout so far"},
	"vote.missing.area":     {"面积", "area"},
	"vote.missing.head":     {"人数", "owners"},
	"vote.missing.target":   {"目标", "target"},
	"vote.missing.count":    {"未投票房屋", "units not voted"},
	"vote.missing.none":     {"所有房屋均已投票。", "Every unit has voted."},
	"vote.missing.building": {"%s幢 %s单元", "Building %s, entrance %s"},
	"vote.missing.room":     {"房号", "Room"},
	"vote.missing.floor":    {"楼层", "Floor"},
	"vote.missing.owner":    {"业主", "Owner"},
	"vote.missing.phone":    {"电话", "Phone"},
	"vote.missing.pending":  {"纸质票待确认", "paper pending"},
	"vote.missing.visited":  {"已走访", "Visited"},
	"vote.missing.note":     {"备注", "Note"},
	"vote.missing.print":    {"打印", "Print"},
	"vote.missing.back":     {"返回表决页", "Back to the vote"},
}
