// Package staff is who works an estate's votes: accounts, the roles they
// hold, and the two bodies that approve and sign a result notice. It is
// domain vocabulary, free of storage, so the tally and the notices name
// accounts without depending on the store.
package staff

// Roles an account may hold.
const (
	RolePlatformAdmin      = "platform_admin"
	RoleCommittee          = "committee"
	RoleResidentsCommittee = "residents_committee"
	RoleVolunteer          = "volunteer"
)

// ValidRole reports whether role is one of the four roles.
func ValidRole(role string) bool {
	switch role {
	case RolePlatformAdmin, RoleCommittee, RoleResidentsCommittee, RoleVolunteer:
		return true
	}
	return false
}

// The bodies that approve and sign a notice; each is also the role of the
// accounts that approve for it.
const (
	BodyCommittee = RoleCommittee
	BodyResidents = RoleResidentsCommittee
)

// Account is a staff login. CommunityID is nil only for platform admins.
type Account struct {
	ID          int64  `db:"id" json:"id"`
	CommunityID *int64 `db:"community_id" json:"community_id,omitempty"`
	Username    string `db:"username" json:"username"`
	Role        string `db:"role" json:"role"`
	Deactivated bool   `db:"deactivated" json:"deactivated,omitempty"`
}

// InCommunity reports whether the account belongs to estate cid.
func (a Account) InCommunity(cid int64) bool {
	return a.CommunityID != nil && *a.CommunityID == cid
}
