package api

import (
	"io/fs"
	"net/http"

	"gongjue/staff"
	"gongjue/templates"
)

const (
	committee = staff.RoleCommittee
	residents = staff.RoleResidentsCommittee
	volunteer = staff.RoleVolunteer
	platform  = staff.RolePlatformAdmin
)

func (s *Server) routes() {
	e := s.engine
	e.GET("/healthz", s.healthz)
	if s.MetricsToken != "" {
		e.GET("/metrics", s.metricsBehindToken)
	}
	e.StaticFS("/static", http.FS(filesOnly{templates.Static}))
	s.registerConsole()

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", handle(s.login))
	v1.POST("/auth/logout", s.staff(), handle(s.logout))
	v1.POST("/communities", s.staff(platform), handle(s.createCommunity))
	v1.POST("/communities/:cid/users", s.staff(platform, committee), handle(s.createUser))
	v1.POST("/accounts/:account/deactivate", s.staff(platform, committee), handle(s.deactivateAccount))
	v1.POST("/accounts/:account/password", s.staff(platform, committee), handle(s.resetPassword))
	v1.POST("/communities/:cid/roll", s.staff(committee), handle(s.importRoll))
	v1.GET("/communities/:cid/zones", s.staff(committee, residents, volunteer), handle(s.listZones))
	v1.POST("/evaluate", s.staff(committee, residents, volunteer), handle(s.evaluate))
	v1.GET("/communities/:cid/consultations", s.staff(committee, residents, volunteer), handle(s.listConsultations))
	v1.POST("/communities/:cid/consultations", s.staff(committee), handle(s.createConsultation))
	v1.GET("/consultations/:id", s.staff(committee, residents, volunteer), handle(s.getConsultation))
	v1.PATCH("/consultations/:id", s.staff(committee), handle(s.updateConsultation))
	v1.POST("/consultations/:id/open", s.staff(committee), handle(s.openConsultation))
	v1.GET("/consultations/:id/ballots.pdf", s.staff(committee, volunteer), handle(s.ballotPacket))
	v1.GET("/consultations/:id/turnout", s.staff(committee, residents, volunteer), handle(s.turnout))
	v1.POST("/consultations/:id/paper", s.staff(committee, volunteer), handle(s.enterPaper))
	v1.GET("/consultations/:id/paper", s.staff(committee, volunteer), handle(s.listPaper))
	v1.GET("/consultations/:id/paper/ballot", s.staff(committee, volunteer), handle(s.paperLookup))
	v1.POST("/paper/:entry/confirm", s.staff(committee, volunteer), handle(s.confirmPaper))
	v1.POST("/paper/:entry/reject", s.staff(committee, volunteer), handle(s.rejectPaper))
	v1.POST("/paper/:entry/original", s.staff(committee, volunteer), handle(s.paperOriginal))
	v1.GET("/paper/:entry/original", s.staff(committee, residents, volunteer), handle(s.paperOriginalFile))
	v1.GET("/ballots/:token", s.ballotLimit(), handle(s.getBallot))
	v1.POST("/ballots/:token", s.ballotLimit(), handle(s.castBallot))
	v1.POST("/ballots/:token/verify", s.ballotLimit(), handle(s.verifyBallot))
	v1.POST("/ballots/:token/sms", s.ballotLimit(), handle(s.sendBallotCode))
	e.GET("/v/:token", s.ballotLimit(), s.votePage)
	e.POST("/v/:token", s.ballotLimit(), s.voteSubmit)
	v1.POST("/consultations/:id/close", s.staff(committee), handle(s.closeConsultation))
	v1.POST("/consultations/:id/extend", s.staff(committee), handle(s.extend))
	v1.GET("/consultations/:id/result", handle(s.result))
	v1.GET("/consultations/:id/notice", s.staff(committee, residents, volunteer, platform), handle(s.noticeStatus))
	v1.POST("/consultations/:id/notice/approve", s.staff(committee, residents), handle(s.approveNotice))
	v1.GET("/consultations/:id/notice.pdf", handle(s.noticePDF))
	v1.GET("/consultations/:id/notice/preview.pdf", s.staff(committee, residents), handle(s.noticePreview))
	v1.PUT("/communities/:cid/signing/:body", s.staff(committee, residents), handle(s.setSigningPassphrase))
	v1.POST("/consultations/:id/objections", s.staff(committee), handle(s.recordObjection))
	e.GET("/verify/:notice", s.verify)
	e.GET("/verify/:notice/result.json", handle(s.verifyResultJSON))
	e.GET("/log/:consultation", s.receiptCheck)
	e.GET("/log/:consultation/checkpoint", handle(s.logCheckpoint))
	e.GET("/log/:consultation/proof", handle(s.logProof))
	e.GET("/log/:consultation/consistency", handle(s.logConsistency))

	// Rules of procedure and the delivery ledger (§3.6, §5.1).
	v1.GET("/communities/:cid/procedures", s.staff(committee, residents, volunteer), handle(s.listProcedures))
	v1.POST("/communities/:cid/procedures", s.staff(committee), handle(s.createProcedure))
	v1.POST("/communities/:cid/procedures/:version/activate", s.staff(committee), handle(s.activateProcedure))
	v1.GET("/communities/:cid/procedures/:version/original", s.staff(committee, residents, volunteer), handle(s.procedureOriginal))
	v1.POST("/consultations/:id/deliveries", s.staff(committee, volunteer), handle(s.recordDelivery))
	v1.GET("/consultations/:id/deliveries", s.staff(committee, residents, volunteer), handle(s.listDeliveries))
	v1.POST("/consultations/:id/deliveries/bulk", s.staff(committee, volunteer), handle(s.recordDeliveries))
	v1.POST("/consultations/:id/deliveries/verify", s.staff(committee, residents, volunteer), handle(s.verifyDeliveries))
	v1.POST("/deliveries/:delivery/verify", s.staff(committee, residents, volunteer), handle(s.verifyDelivery))
	v1.POST("/deliveries/:delivery/reject", s.staff(committee, residents, volunteer), handle(s.rejectDelivery))
	v1.POST("/deliveries/:delivery/photo", s.staff(committee, volunteer), handle(s.deliveryPhoto))

	// Evidence: a unit's history and exports (DESIGN §5.3).
	v1.PATCH("/communities/:cid/units/:unit", s.staff(committee), handle(s.correctUnit))
	v1.GET("/communities/:cid/units/:unit/history", s.staff(committee, residents, volunteer), handle(s.unitHistory))
	v1.POST("/communities/:cid/units/:unit/history/:consultation/open", s.staff(committee), handle(s.openSealedRecord))
	v1.GET("/consultations/:id/export/:file", s.staff(committee, residents), handle(s.exportConsultation))
	v1.GET("/communities/:cid/roll.xlsx", s.staff(committee), handle(s.exportRoll))
	v1.GET("/communities/:cid/roll.csv", s.staff(committee), handle(s.exportRoll))
}

// filesOnly serves the files of a tree and answers directories as absent,
// so /static/ lists nothing.
type filesOnly struct{ fs.FS }

func (f filesOnly) Open(name string) (fs.File, error) {
	file, err := f.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := file.Stat(); err != nil || st.IsDir() {
		file.Close()
		return nil, fs.ErrNotExist
	}
	return file, nil
}
