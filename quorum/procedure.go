package quorum

import "fmt"

// Nonresponse says how an owner who was effectively delivered a ballot and
// did not return it is counted (DESIGN.md §3.5).
type Nonresponse string

// The non-response policies of §3.5.
const (
	NonresponseNone                    Nonresponse = "none"                      // only returned ballots count
	NonresponseDeliveredParticipate    Nonresponse = "delivered-participate"     // 表决票送达即视为参与表决
	NonresponseDeliveredFollowMajority Nonresponse = "delivered-follow-majority" // 未表决视为同意已表决的多数意见
)

// SpoiledPolicy says how a spoiled paper ballot (废票) is counted (§3.5).
type SpoiledPolicy string

// The spoiled-ballot policies of §3.5.
const (
	SpoiledAbstain       SpoiledPolicy = "abstain"       // counts as an abstention
	SpoiledParticipating SpoiledPolicy = "participating" // takes part, in no choice
	SpoiledExcluded      SpoiledPolicy = "excluded"      // as if no ballot was returned
)

// Procedure is the part of an estate's rules of procedure (议事规则) that
// changes how ballots are counted. The zero Procedure is the §3.5 default:
// nonresponse none, spoiled abstain.
type Procedure struct {
	Nonresponse Nonresponse   `json:"nonresponse"`
	Spoiled     SpoiledPolicy `json:"spoiled"`
}

// Normalized returns p with empty fields replaced by their defaults, or an
// *InputError naming the unknown policy.
func (p Procedure) Normalized() (Procedure, error) {
	switch p.Nonresponse {
	case "":
		p.Nonresponse = NonresponseNone
	case NonresponseNone, NonresponseDeliveredParticipate, NonresponseDeliveredFollowMajority:
	default:
		return p, inputErr("procedure.nonresponse", fmt.Sprintf("unknown policy %q: want none, delivered-participate or delivered-follow-majority", p.Nonresponse))
	}
	switch p.Spoiled {
	case "":
		p.Spoiled = SpoiledAbstain
	case SpoiledAbstain, SpoiledParticipating, SpoiledExcluded:
	default:
		return p, inputErr("procedure.spoiled", fmt.Sprintf("unknown policy %q: want abstain, participating or excluded", p.Spoiled))
	}
	return p, nil
}
