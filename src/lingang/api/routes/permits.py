"""一网通办 (issue #8): the service catalogue, applications through the statutory stages,
告知承诺, e-licences, and the public licence check (no sign-in). An enterprise user reaches
only its own applications (any other id answers 404). Rules in docs/permits.md."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.permits import (
    ApplicationDetailPublic,
    ApplicationPublic,
    CorrectionRequest,
    DecisionRequest,
    ExtendRequest,
    ItemPublic,
    LicencePublic,
    NoticePublic,
    PauseRequest,
    ReasonRequest,
    ReceiptPublic,
    VerificationResult,
    VerificationTaskPublic,
    VerifyPublic,
    item_public,
    verify_public,
)
from lingang.permits.service import DEFAULT_MAX_BYTES, MaterialUpload

router = APIRouter(prefix="/api/permits", tags=["permits"])
public_router = APIRouter(prefix="/api/public/licences", tags=["public"])
Files = Annotated[list[UploadFile], File(description="one file per material id, same order")]
MaterialIds = Annotated[list[str], Form(description="the material id of each file")]


def _uploads(material: list[str], files: list[UploadFile]) -> list[MaterialUpload]:
    from lingang.errors import Invalid

    if len(material) != len(files):
        raise Invalid("material", "give one material id per file")
    return [MaterialUpload(m, f.filename or "", f.file.read(DEFAULT_MAX_BYTES + 1))
            for m, f in zip(material, files, strict=True)]  # fmt: skip


def _app(found: object) -> ApplicationPublic:
    return ApplicationPublic.model_validate(found, from_attributes=True)


@router.get("/items", operation_id="permits-items", response_model=list[ItemPublic])
def items(platform: PlatformDep, actor: CurrentActor) -> list[ItemPublic]:
    """The 事项清单 with legal basis, materials, time limits, fees and workflow."""
    return [item_public(i) for i in platform.permits.items()]


@router.post("/applications", operation_id="permits-apply", status_code=201,
             response_model=ApplicationDetailPublic)  # fmt: skip
def apply(
    platform: PlatformDep, actor: CurrentActor,
    item_id: Annotated[str, Form()], material: MaterialIds = [],  # noqa: B006
    files: Files = [],  # noqa: B006
    commitment: Annotated[str | None, Form(description="告知承诺 text instead of proofs")] = None,
    uscc: Annotated[str | None, Form(description="counter staff: the enterprise")] = None,
) -> ApplicationDetailPublic:  # fmt: skip
    """Apply with materials as files; with ``commitment`` the licence is issued at once
    (403 when the credit service closes the lane to the enterprise)."""
    made = platform.permits.apply(item_id, _uploads(material, files), actor=actor, uscc=uscc,
                                  commitment=commitment)  # fmt: skip
    return ApplicationDetailPublic.model_validate(made, from_attributes=True)


@router.get("/applications/mine", operation_id="permits-mine",
            response_model=list[ApplicationPublic])  # fmt: skip
def mine(platform: PlatformDep, actor: CurrentActor) -> list[ApplicationPublic]:
    """An enterprise user's applications and their status."""
    return [_app(a) for a in platform.permits.mine(actor=actor)]


@router.get("/queue", operation_id="permits-queue", response_model=list[ApplicationPublic])
def queue(
    platform: PlatformDep, actor: CurrentActor,
    overdue: Annotated[bool, Query(description="only breached clocks")] = False,
) -> list[ApplicationPublic]:  # fmt: skip
    """Officers' work queue, earliest deadline first (or the overdue list)."""
    found = (
        platform.permits.overdue(actor=actor) if overdue else platform.permits.queue(actor=actor)
    )
    return [_app(a) for a in found]


@router.get("/applications/{application_id}", operation_id="permits-application",
            response_model=ApplicationDetailPublic)  # fmt: skip
def application(application_id: int, platform: PlatformDep, actor: CurrentActor
                ) -> ApplicationDetailPublic:  # fmt: skip
    """One application with its steps, files and licence."""
    found = platform.permits.get(application_id, actor=actor)
    return ApplicationDetailPublic.model_validate(found, from_attributes=True)


@router.get("/applications/{application_id}/files/{file_id}", operation_id="permits-file",
            response_class=Response)  # fmt: skip
def material_file(application_id: int, file_id: int, platform: PlatformDep,
                  actor: CurrentActor) -> Response:  # fmt: skip
    """Download a submitted material (the applicant's users or staff)."""
    meta, content = platform.permits.material_file(application_id, file_id, actor=actor)
    disposition = f"attachment; filename*=UTF-8''{quote(meta.name)}"
    return Response(content, media_type=meta.media_type,
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.post("/applications/{application_id}/correction", operation_id="permits-correction",
             response_model=ApplicationPublic)  # fmt: skip
def correction(application_id: int, body: CorrectionRequest, platform: PlatformDep,
               actor: CurrentActor) -> ApplicationPublic:  # fmt: skip
    """List every missing item once (一次性告知)."""
    return _app(
        platform.permits.request_correction(
            application_id, actor=actor, missing=body.missing, note=body.note
        )
    )


@router.post("/applications/{application_id}/resubmit", operation_id="permits-resubmit",
             response_model=ApplicationPublic)  # fmt: skip
def resubmit(application_id: int, platform: PlatformDep, actor: CurrentActor,
             material: MaterialIds, files: Files) -> ApplicationPublic:  # fmt: skip
    """Supply the missing items."""
    return _app(platform.permits.resubmit(application_id, _uploads(material, files), actor=actor))


@router.post("/applications/{application_id}/accept", operation_id="permits-accept",
             response_model=ReceiptPublic)  # fmt: skip
def accept(application_id: int, platform: PlatformDep, actor: CurrentActor) -> ReceiptPublic:
    """Accept (受理) with a receipt."""
    found = platform.permits.accept(application_id, actor=actor)
    return ReceiptPublic.model_validate(found, from_attributes=True)


@router.post("/applications/{application_id}/reject", operation_id="permits-reject",
             response_model=ReceiptPublic)  # fmt: skip
def reject(application_id: int, body: ReasonRequest, platform: PlatformDep,
           actor: CurrentActor) -> ReceiptPublic:  # fmt: skip
    """Refuse to accept (不予受理) with a receipt and the reason."""
    found = platform.permits.reject(application_id, body.reason, actor=actor)
    return ReceiptPublic.model_validate(found, from_attributes=True)


@router.post("/applications/{application_id}/pause", operation_id="permits-pause",
             response_model=ApplicationPublic)  # fmt: skip
def pause(application_id: int, body: PauseRequest, platform: PlatformDep,
          actor: CurrentActor) -> ApplicationPublic:  # fmt: skip
    """Stop the review clock (hearing, testing, expert review…: Art. 45)."""
    return _app(platform.permits.pause(application_id, body.kind, body.note, actor=actor))


@router.post("/applications/{application_id}/resume", operation_id="permits-resume",
             response_model=ApplicationPublic)  # fmt: skip
def resume(application_id: int, platform: PlatformDep, actor: CurrentActor) -> ApplicationPublic:
    """Run the review clock again."""
    return _app(platform.permits.resume(application_id, actor=actor))


@router.post("/applications/{application_id}/extend", operation_id="permits-extend",
             response_model=ApplicationPublic)  # fmt: skip
def extend(application_id: int, body: ExtendRequest, platform: PlatformDep,
           actor: CurrentActor) -> ApplicationPublic:  # fmt: skip
    """Extend the decision limit once (Art. 42: +10 WD, joint handling +15)."""
    return _app(platform.permits.extend(application_id, body.reason, body.approved_by,
                                        actor=actor))  # fmt: skip


@router.post("/applications/{application_id}/decision", operation_id="permits-decide",
             response_model=ApplicationPublic)  # fmt: skip
def decide(application_id: int, body: DecisionRequest, platform: PlatformDep,
           actor: CurrentActor) -> ApplicationPublic:  # fmt: skip
    """Grant or refuse after review."""
    return _app(platform.permits.decide(application_id, body.grant, body.reason, actor=actor))


@router.post("/applications/{application_id}/issue", operation_id="permits-issue",
             status_code=201, response_model=LicencePublic)  # fmt: skip
def issue(application_id: int, platform: PlatformDep, actor: CurrentActor) -> LicencePublic:
    """Issue the signed e-licence."""
    found = platform.permits.issue(application_id, actor=actor)
    return LicencePublic.model_validate(found, from_attributes=True)


@router.get("/licences/mine", operation_id="permits-my-licences",
            response_model=list[LicencePublic])  # fmt: skip
def my_licences(platform: PlatformDep, actor: CurrentActor) -> list[LicencePublic]:
    """An enterprise user's licences, newest first."""
    return [LicencePublic.model_validate(found, from_attributes=True)
            for found in platform.permits.my_licences(actor=actor)]  # fmt: skip


@router.get("/licences/{licence_id}/qr.svg", operation_id="permits-licence-qr",
            response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})  # fmt: skip
def licence_qr(licence_id: str, platform: PlatformDep, actor: CurrentActor) -> Response:
    """The licence's QR code (the public verify URL) as SVG."""
    svg = platform.permits.licence_qr_svg(licence_id, actor=actor)
    return Response(svg, media_type="image/svg+xml")


@router.get("/licences/{licence_id}/pdf", operation_id="permits-licence-pdf",
            response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})  # fmt: skip
def licence_pdf(licence_id: str, platform: PlatformDep, actor: CurrentActor) -> Response:
    """The licence as a PDF with its QR code, signature and the platform's public key."""
    pdf = platform.permits.licence_pdf(licence_id, actor=actor)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{licence_id}.pdf"'})


@router.get("/notices", operation_id="permits-notices", response_model=list[NoticePublic])
def notices(
    platform: PlatformDep, actor: CurrentActor,
    uscc: Annotated[str | None, Query(description="staff: the enterprise")] = None,
) -> list[NoticePublic]:  # fmt: skip
    """An enterprise's notices (renewal reminders 30 days before a licence expires)."""
    return [NoticePublic.model_validate(n, from_attributes=True)
            for n in platform.permits.notices(actor=actor, uscc=uscc)]  # fmt: skip


@router.get("/licences/{licence_id}", operation_id="permits-licence",
            response_model=LicencePublic)  # fmt: skip
def licence(licence_id: str, platform: PlatformDep, actor: CurrentActor) -> LicencePublic:
    """A licence (its holder or staff)."""
    found = platform.permits.licence(licence_id, actor=actor)
    return LicencePublic.model_validate(found, from_attributes=True)


@router.post("/licences/{licence_id}/revoke", operation_id="permits-revoke",
             response_model=LicencePublic)  # fmt: skip
def revoke(licence_id: str, body: ReasonRequest, platform: PlatformDep,
           actor: CurrentActor) -> LicencePublic:  # fmt: skip
    """Revoke a licence with the reason."""
    found = platform.permits.revoke(licence_id, body.reason, actor=actor)
    return LicencePublic.model_validate(found, from_attributes=True)


@router.get("/verifications", operation_id="permits-verifications",
            response_model=list[VerificationTaskPublic])  # fmt: skip
def verifications(platform: PlatformDep, actor: CurrentActor) -> list[VerificationTaskPublic]:
    """Open post-issue 告知承诺 checks, earliest due first."""
    return [VerificationTaskPublic.model_validate(t, from_attributes=True)
            for t in platform.permits.verification_tasks(actor=actor)]  # fmt: skip


@router.post("/verifications/{task_id}", operation_id="permits-verification-done",
             response_model=VerificationTaskPublic)  # fmt: skip
def verification_done(task_id: int, body: VerificationResult, platform: PlatformDep,
                      actor: CurrentActor) -> VerificationTaskPublic:  # fmt: skip
    """Record a check's result; a false commitment revokes the licence (and a credit record)."""
    found = platform.permits.complete_verification(task_id, body.kept, body.result, actor=actor)
    return VerificationTaskPublic.model_validate(found, from_attributes=True)


@public_router.get("/{licence_id}", operation_id="public-licence-verify",
                   response_model=VerifyPublic)  # fmt: skip
def verify(
    licence_id: str, platform: PlatformDep,
    sig: Annotated[str, Query(max_length=200, description="the signature from the QR code")],
) -> VerifyPublic:  # fmt: skip
    """Anyone may check a licence (no sign-in): valid, revoked, expired or forged, with the
    reason. Always 200; the verdict says the rest."""
    return verify_public(platform.permits.verify(licence_id, sig))
