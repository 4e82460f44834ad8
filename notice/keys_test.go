package notice

import (
	"context"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"gongjue/postgres"
	"gongjue/staff"
)

// TestMasterKeyAloneCannotSign plays a server that holds the whole
// database and the master key but not the bodies' passphrases: it finds no
// way to a signing key, and the notice stays unsigned until the second
// body gives its passphrase.
func TestMasterKeyAloneCannotSign(t *testing.T) {
	e := newClosedEstate(t)
	ctx := context.Background()
	e.setPassphrases(t)
	e.approve(t, e.committee) // the committee's key now waits, wrapped, for the residents' committee

	for _, guess := range []string{"", "password123", e.passphrases[staff.BodyCommittee]} {
		_, err := Approve(ctx, e.db, e.keys, "http://gongjue.test", e.consultationID, e.residents, guess, time.Now())
		if err == nil {
			t.Fatalf("the residents' committee approved with %q", guess)
		}
	}
	if n := storedKeys(t, e); n != 3 { // two sealed keys and one pending
		t.Fatalf("%d stored keys, want 3", n)
	}
	if n, err := postgres.GetNotice(ctx, e.db, e.consultationID); err != nil || n.Signed() {
		t.Fatalf("notice signed without the residents' committee's passphrase (err %v)", err)
	}
	if st := e.approve(t, e.residents); !st.Signed {
		t.Fatalf("not signed with both passphrases: %+v", st)
	}
	var pending int
	e.db.Get(&pending, `SELECT count(*) FROM notice_pending_keys`)
	if pending != 0 {
		t.Errorf("%d pending keys left after signing", pending)
	}
}

// storedKeys tries the master key on every signing key the database holds
// (sealed, pending, or left from before passphrases), reports any that it
// opens or that is stored in clear, and returns how many it tried.
func storedKeys(t *testing.T, e *closedEstate) int {
	t.Helper()
	n := 0
	for _, body := range []string{staff.BodyCommittee, staff.BodyResidents} {
		tried, opened := tryMasterKey(t, e, body)
		n += tried
		if opened > 0 {
			t.Errorf("the master key opens %d of the %s's keys", opened, body)
		}
	}
	return n
}

// masterOpens counts the body's stored keys the master key opens.
func masterOpens(t *testing.T, e *closedEstate, body string) int {
	_, opened := tryMasterKey(t, e, body)
	return opened
}

func tryMasterKey(t *testing.T, e *closedEstate, body string) (tried, opened int) {
	t.Helper()
	var rows []struct {
		Certificate []byte `db:"certificate"`
		Sealed      []byte `db:"sealed"`
	}
	err := e.db.Select(&rows, `
		SELECT certificate, sealed_key AS sealed FROM signing_keys WHERE body = $1
		UNION ALL SELECT certificate, wrapped_key FROM notice_pending_keys WHERE body = $1
		UNION ALL SELECT certificate, sealed_key FROM signing_identities WHERE body = $1 AND sealed_key IS NOT NULL`, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := x509.ParsePKCS8PrivateKey(r.Sealed); err == nil {
			t.Errorf("a %s key is stored in clear", body)
		}
		if _, err := e.keys.Open(keyLabel(e.communityID, body, r.Certificate), r.Sealed); err == nil {
			opened++
		}
	}
	return len(rows), opened
}

func TestApprovalRefusedWithoutTheRightPassphrase(t *testing.T) {
	e := newClosedEstate(t)
	ctx := context.Background()
	approve := func(acct staff.Account, passphrase string) error {
		_, err := Approve(ctx, e.db, e.keys, "http://gongjue.test", e.consultationID, acct, passphrase, time.Now())
		return err
	}
	if err := approve(e.committee, "anything"); !errors.Is(err, ErrNoSigningKey) {
		t.Fatalf("approval before any passphrase is set: %v, want ErrNoSigningKey", err)
	}
	if _, err := SetPassphrase(ctx, e.db, e.keys, e.communityID, e.committee, e.passphrases[staff.BodyCommittee], "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := approve(e.committee, e.passphrases[staff.BodyCommittee]); !errors.Is(err, ErrOtherNoSigningKey) {
		t.Fatalf("approval before the other body has a key: %v, want ErrOtherNoSigningKey", err)
	}
	e.setPassphrases(t)
	if err := approve(e.committee, ""); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("without a passphrase: %v", err)
	}
	for range postgres.SigningTries {
		if err := approve(e.committee, "wrong passphrase"); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("a wrong passphrase: %v", err)
		}
	}
	if err := approve(e.committee, e.passphrases[staff.BodyCommittee]); !errors.Is(err, ErrTooManyTries) {
		t.Errorf("the right passphrase after %d wrong ones: %v, want ErrTooManyTries", postgres.SigningTries, err)
	}
	st, err := GetStatus(ctx, e.db, e.consultationID)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Approvals) != 0 {
		t.Errorf("refused approvals were recorded: %+v", st.Approvals)
	}
	// The residents' committee's tries are its own.
	if st := e.approve(t, e.residents); !st.Added {
		t.Errorf("the residents' committee was refused: %+v", st)
	}
}

func TestChangingAndLosingThePassphrase(t *testing.T) {
	e := newClosedEstate(t)
	ctx := context.Background()
	e.setPassphrases(t)
	body := staff.BodyCommittee
	before, err := KeyStatus(ctx, e.db, e.communityID, body)
	if err != nil || before.State != KeyProtected {
		t.Fatalf("key status %+v, %v", before, err)
	}
	if _, err := SetPassphrase(ctx, e.db, e.keys, e.communityID, e.committee, "a new passphrase", "not the old one", time.Now()); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("change with a wrong old passphrase: %v", err)
	}
	rekeyed, err := SetPassphrase(ctx, e.db, e.keys, e.communityID, e.committee2, "a new passphrase", e.passphrases[body], time.Now())
	if err != nil || rekeyed {
		t.Fatalf("change with the old passphrase: rekeyed %v, %v", rekeyed, err)
	}
	changed, _ := KeyStatus(ctx, e.db, e.communityID, body)
	if changed.CertSHA256 != before.CertSHA256 {
		t.Error("changing the passphrase changed the key")
	}
	if _, err := Approve(ctx, e.db, e.keys, "http://gongjue.test", e.consultationID, e.committee, e.passphrases[body], time.Now()); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("the old passphrase still opens the key: %v", err)
	}
	// Lost: a new key and certificate, never the old key back.
	if rekeyed, err = SetPassphrase(ctx, e.db, e.keys, e.communityID, e.committee, "after the loss", "", time.Now()); err != nil || !rekeyed {
		t.Fatalf("after a lost passphrase: rekeyed %v, %v", rekeyed, err)
	}
	lost, _ := KeyStatus(ctx, e.db, e.communityID, body)
	if lost.CertSHA256 == before.CertSHA256 {
		t.Error("a lost passphrase kept the key")
	}
	e.passphrases[body] = "after the loss"
	e.approve(t, e.committee)
	if st := e.approve(t, e.residents); !st.Signed {
		t.Fatalf("not signed: %+v", st)
	}
	v, err := Verify(ctx, e.db, currentStatus(t, e).NoticeID, time.Now())
	if err != nil || !v.OK() {
		t.Fatalf("verification: %+v, %v", v, err)
	}
}

func currentStatus(t *testing.T, e *closedEstate) *Status {
	t.Helper()
	s, err := GetStatus(context.Background(), e.db, e.consultationID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMasterSealedKeysMigrate: an estate whose keys were made before
// passphrases signs with them as before; once a body sets a passphrase its
// key (and certificate) is kept under it and the master-sealed copy erased.
func TestMasterSealedKeysMigrate(t *testing.T) {
	e := newClosedEstate(t)
	ctx := context.Background()
	certs := map[string][]byte{}
	for _, body := range []string{staff.BodyCommittee, staff.BodyResidents} {
		id, err := NewBodyIdentity("幸福花园", body)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKCS8PrivateKey(id.Key)
		sealed, err := e.keys.Seal(keyLabel(e.communityID, body, id.Certificate.Raw), der)
		if err != nil {
			t.Fatal(err)
		}
		if err := postgres.InsertSigningIdentity(ctx, e.db, postgres.SigningIdentity{CommunityID: e.communityID, Body: body, SealedKey: sealed, Certificate: id.Certificate.Raw}); err != nil {
			t.Fatal(err)
		}
		certs[body] = id.Certificate.Raw
	}
	if k, _ := KeyStatus(ctx, e.db, e.communityID, staff.BodyCommittee); k.State != KeyMasterOnly {
		t.Fatalf("key state %q, want %q", k.State, KeyMasterOnly)
	}
	if _, err := Approve(ctx, e.db, e.keys, "http://gongjue.test", e.consultationID, e.committee, "", time.Now()); err != nil {
		t.Fatalf("approval with a master-sealed key: %v", err)
	}
	rekeyed, err := SetPassphrase(ctx, e.db, e.keys, e.communityID, e.residents, e.passphrases[staff.BodyResidents], "", time.Now())
	if err != nil || rekeyed {
		t.Fatalf("protecting the residents' committee's key: rekeyed %v, %v", rekeyed, err)
	}
	// The committee's key is still under the master key; the residents'
	// committee's is now out of its reach.
	if opened := masterOpens(t, e, staff.BodyResidents); opened != 0 {
		t.Errorf("the master key opens %d of the residents' committee's keys", opened)
	}
	if opened := masterOpens(t, e, staff.BodyCommittee); opened != 1 {
		t.Errorf("the master key opens %d of the committee's keys, want its unprotected one", opened)
	}
	if _, err := Approve(ctx, e.db, e.keys, "http://gongjue.test", e.consultationID, e.residents, "", time.Now()); !errors.Is(err, ErrPassphraseRequired) {
		t.Errorf("approval without the new passphrase: %v", err)
	}
	if s := e.approve(t, e.residents); !s.Signed {
		t.Fatalf("not signed: %+v", s)
	}
	v, err := Verify(ctx, e.db, currentStatus(t, e).NoticeID, time.Now())
	if err != nil || !v.OK() {
		t.Fatalf("verification: %+v, %v", v, err)
	}
	for i, body := range []string{staff.BodyCommittee, staff.BodyResidents} {
		if v.Signatures[i].CertSHA256 != strings.ToLower(fingerprintHex(certs[body])) {
			t.Errorf("signature %d is not by the %s's original certificate", i+1, body)
		}
	}
}

func fingerprintHex(der []byte) string {
	cert, _ := x509.ParseCertificate(der)
	return Fingerprint(cert)
}

// TestNewKeyAfterTheOtherApproved: a body that loses its passphrase after
// the other body approved cannot open the key left for it; the other body
// approves again and the notice is signed.
func TestNewKeyAfterTheOtherApproved(t *testing.T) {
	e := newClosedEstate(t)
	ctx := context.Background()
	e.setPassphrases(t)
	e.approve(t, e.committee)
	e.passphrases[staff.BodyResidents] = "a fresh passphrase"
	if _, err := SetPassphrase(ctx, e.db, e.keys, e.communityID, e.residents, e.passphrases[staff.BodyResidents], "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := Approve(ctx, e.db, e.keys, "http://gongjue.test", e.consultationID, e.residents, e.passphrases[staff.BodyResidents], time.Now()); !errors.Is(err, ErrOtherMustApproveAgain) {
		t.Fatalf("countersigning with the new key: %v, want ErrOtherMustApproveAgain", err)
	}
	if again := e.approve(t, e.committee); again.Added || again.Signed || len(again.Approvals) != 1 {
		t.Fatalf("the committee approving again: %+v", again)
	}
	if s := e.approve(t, e.residents); !s.Signed {
		t.Fatalf("not signed: %+v", s)
	}
	if v, err := Verify(ctx, e.db, currentStatus(t, e).NoticeID, time.Now()); err != nil || !v.OK() {
		t.Fatalf("verification: %+v, %v", v, err)
	}
}
