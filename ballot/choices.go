package ballot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The choices of an approve matter, and the two ballot words every matter
// knows: abstain, and spoiled (废票) — a paper mark that cannot be read,
// counted as abstain and never offered online.
const (
	Agree   = "agree"
	Oppose  = "oppose"
	Abstain = "abstain"
	Spoiled = "spoiled"
)

// Selection is one cast choice: the matter and what was chosen. An election
// ballot has one Selection per approved candidate, or a single abstain (or
// spoiled) when it approves nobody; every other matter has exactly one.
type Selection struct {
	MatterID int64  `json:"matter_id" db:"matter_id"`
	Choice   string `json:"choice" db:"choice"`
}

// Input is a ballot as submitted: matter id (as text, the JSON object key)
// → the chosen values. Approve and choice matters take one value; an
// election takes the approved candidates, none meaning a blank ballot.
type Input map[string][]string

// CheckChoices checks a submitted ballot against the consultation's
// matters: every matter answered, nothing else, only offered values.
// spoiledOK admits "spoiled" (paper ballots only). The selections come out
// ordered by matter position, ready to store.
func CheckChoices(in Input, matters []Matter, spoiledOK bool) ([]Selection, Problems) {
	var ps Problems
	known := make(map[int64]*Matter, len(matters))
	for i := range matters {
		known[matters[i].ID] = &matters[i]
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || known[id] == nil {
			ps.Add("choices."+truncate(k, 40), "没有这个表决事项 / no such matter in this consultation")
		}
	}
	var out []Selection
	for i := range matters {
		m := &matters[i]
		key := strconv.FormatInt(m.ID, 10)
		field := "choices." + key
		values, present := in[key]
		if !present {
			ps.Add(field, "未作选择：%s / missing: nothing chosen for %q", m.Title, m.Title)
			continue
		}
		switch m.Kind {
		case Approve, Choice:
			if len(values) != 1 {
				ps.Add(field, "须选且只选一项 / choose exactly one")
				continue
			}
			v := values[0]
			switch {
			case v == Abstain, v == Spoiled && spoiledOK:
			case m.Kind == Approve && (v == Agree || v == Oppose):
			case m.Kind == Choice && slices.Contains(m.Options, v):
			default:
				ps.Add(field, "%s", offered(m, v, spoiledOK))
				continue
			}
			out = append(out, Selection{MatterID: m.ID, Choice: v})
		case Election:
			picked := make([]string, 0, len(values))
			for _, v := range values {
				if v != "" {
					picked = append(picked, v)
				}
			}
			if len(picked) == 1 && (picked[0] == Abstain || picked[0] == Spoiled && spoiledOK) {
				out = append(out, Selection{MatterID: m.ID, Choice: picked[0]})
				continue
			}
			if len(picked) == 0 {
				out = append(out, Selection{MatterID: m.ID, Choice: Abstain})
				continue
			}
			if len(picked) > m.Seats {
				ps.Add(field, "最多选 %d 人，选了 %d 人 / at most %d candidates, %d chosen", m.Seats, len(picked), m.Seats, len(picked))
				continue
			}
			ok := true
			for j, v := range picked {
				switch {
				case !slices.Contains(m.Options, v):
					ps.Add(field, "%s", offered(m, v, spoiledOK))
					ok = false
				case slices.Contains(picked[:j], v):
					ps.Add(field, "候选人 %q 重复 / candidate %q chosen twice", v, v)
					ok = false
				}
			}
			if ok {
				for _, v := range picked {
					out = append(out, Selection{MatterID: m.ID, Choice: v})
				}
			}
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}

// SpoiledBallot is a paper ballot spoiled as a whole: spoiled on every
// matter.
func SpoiledBallot(matters []Matter) []Selection {
	out := make([]Selection, len(matters))
	for i, m := range matters {
		out[i] = Selection{MatterID: m.ID, Choice: Spoiled}
	}
	return out
}

// AsInput turns stored selections back into the submitted form.
func AsInput(sel []Selection) Input {
	in := Input{}
	for _, s := range sel {
		k := strconv.FormatInt(s.MatterID, 10)
		in[k] = append(in[k], s.Choice)
	}
	return in
}

// Offered lists what a ballot may carry for the matter: agree, oppose and
// abstain for an approve matter, else the options and abstain.
func (m *Matter) Offered() []string {
	if m.Kind == Approve {
		return []string{Agree, Oppose, Abstain}
	}
	return append(slices.Clone(m.Options), Abstain)
}

// Marks lists what a person marks for the matter on a form: Offered, but
// an election lists only its candidates, since marking nobody abstains.
func (m *Matter) Marks() []string {
	if m.Kind == Election {
		return m.Options
	}
	return m.Offered()
}

func offered(m *Matter, v string, spoiledOK bool) string {
	want := m.Offered()
	if spoiledOK {
		want = append(want, Spoiled)
	}
	return fmt.Sprintf("%q 不是本事项的选项（可选：%s）/ %q is not offered (choose from: %s)",
		truncate(v, 40), strings.Join(want, "、"), truncate(v, 40), strings.Join(want, ", "))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
