package api

import (
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
	e.GET("/metrics", s.metricsHandler())
	e.StaticFS("/static", http.FS(templates.Static))
	s.registerConsole()

	v1 := e.Group("/api/v1")
	v1.POST("/auth/login", s.ownerLimit.middleware(), handle(s.login))
	v1.POST("/auth/logout", s.staff(), handle(s.logout))
	v1.POST("/communities", s.staff(platform), handle(s.createCommunity))
	v1.POST("/communities/:cid/users", s.staff(platform, committee), handle(s.createUser))
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
	v1.POST("/paper/:entry/confirm", s.staff(committee, volunteer), handle(s.confirmPaper))
	v1.POST("/paper/:entry/reject", s.staff(committee, volunteer), handle(s.rejectPaper))
	v1.GET("/ballots/:token", s.ownerLimit.middleware(), handle(s.getBallot))
	v1.POST("/ballots/:token", s.ownerLimit.middleware(), handle(s.castBallot))
	e.GET("/v/:token", s.ownerLimit.middleware(), s.votePage)
	e.POST("/v/:token", s.ownerLimit.middleware(), s.voteSubmit)
	v1.POST("/consultations/:id/close", s.staff(committee), handle(s.closeConsultation))
	v1.POST("/consultations/:id/extend", s.staff(committee), handle(s.extend))
	v1.GET("/consultations/:id/result", handle(s.result))
	v1.GET("/consultations/:id/notice", s.staff(committee, residents, volunteer, platform), handle(s.noticeStatus))
	v1.POST("/consultations/:id/notice/approve", s.staff(committee, residents), handle(s.approveNotice))
	v1.GET("/consultations/:id/notice.pdf", handle(s.noticePDF))
	e.GET("/verify/:notice", s.verify)
	e.GET("/verify/:notice/result.json", handle(s.verifyResultJSON))
	e.GET("/log/:consultation", s.ownerLimit.middleware(), s.receiptCheck)
	e.GET("/log/:consultation/checkpoint", handle(s.logCheckpoint))
	e.GET("/log/:consultation/proof", s.ownerLimit.middleware(), handle(s.logProof))
	e.GET("/log/:consultation/consistency", handle(s.logConsistency))
}
