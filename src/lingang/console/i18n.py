"""Console labels in zh-CN (the default) and English, and the user's language choice.

Every visible string of the console is a key of :data:`LABELS`; a page calls ``t(key, lang)``.
The choice is kept per browser in ``app.storage.user`` so it survives reloads and pages.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from nicegui import app

from lingang.risk.scenarios.model import OUTCOME_LABELS
from lingang.types import ROLE_LABELS, Role

Language = Literal["zh-CN", "en"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "zh-CN"
LANGUAGE_KEY: Final = "language"
LANGUAGE_NAMES: Final[dict[Language, str]] = {"zh-CN": "中文", "en": "English"}

LABELS: Final[dict[str, tuple[str, str]]] = {
    # key: (zh-CN, en)
    "platform.name": (
        "临港新片区一体化信息管理服务平台",
        "Lingang New Area Integrated Information Management and Service Platform",
    ),
    "platform.short": ("临港一体化平台", "Lingang Platform"),
    "nav.home": ("首页", "Home"),
    "nav.enterprises": ("企业名录", "Enterprises"),
    "nav.users": ("用户管理", "Users"),
    "nav.audit": ("审计日志", "Audit log"),
    "action.logout": ("退出登录", "Sign out"),
    "login.title": ("登录", "Sign in"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码错误", "Invalid username or password"),
    "login.throttled": (
        "登录失败次数过多，请在 {seconds} 秒后重试",
        "Too many failed sign-ins; try again in {seconds} s",
    ),
    "login.required": ("请输入用户名和密码", "Enter a username and a password"),
    "home.title": ("平台概览", "Platform overview"),
    "home.live": ("每 {seconds} 秒自动刷新", "Refreshes every {seconds} s"),
    "count.enterprises": ("企业数", "Enterprises"),
    "count.users": ("用户数", "Users"),
    "count.audit_records": ("审计记录", "Audit records"),
    "count.events_published": ("已发布事件", "Events published"),
    "count.events_pending": ("待发布事件", "Events pending"),
    "enterprises.title": ("企业名录", "Enterprises"),
    "enterprises.total": ("共 {total} 家企业", "Total: {total}"),
    "enterprises.search": (
        "按名称或统一社会信用代码搜索，回车确认",
        "Search by name or USCC, then Enter",
    ),
    "col.industry": ("行业", "Industry"),
    "col.registered_on": ("成立日期", "Registered on"),
    "col.aeo": ("AEO 认证", "AEO status"),
    "aeo.none": ("未认证", "none"),
    "aeo.general": ("一般认证", "general"),
    "aeo.advanced": ("高级认证", "advanced"),
    "nav.lake": ("数据湖", "Data lake"),
    "lake.title": ("综合信息数据湖", "Data lake"),
    "lake.subtitle": (
        "各数据集的行数、时间范围、入湖时间与隔离区",
        "Rows, date range, ingestion and quarantine per dataset",
    ),
    "lake.quarantine": ("隔离区（被拒绝的行）", "Quarantine (rejected rows)"),
    "col.dataset": ("数据集", "Dataset"),
    "col.label": ("名称", "Name"),
    "col.rows": ("行数", "Rows"),
    "col.files": ("文件数", "Files"),
    "col.first_day": ("最早日期", "First day"),
    "col.last_day": ("最新日期", "Last day"),
    "col.last_ingested": ("最近入湖", "Last ingested"),
    "col.quarantined": ("隔离行数", "Quarantined"),
    "col.imports": ("导入批次", "Imports"),
    "col.import_id": ("导入批次", "Import"),
    "col.line": ("行号", "Line"),
    "col.field": ("字段", "Field"),
    "col.reason": ("原因", "Reason"),
    "e360.profile": ("企业画像", "Profile"),
    "e360.graph": ("关联关系图", "Relationship graph"),
    "e360.no_links": ("暂无关联企业", "No related enterprises"),
    "e360.monthly": ("月度报关单行数与收付汇笔数", "Declaration lines and payments per month"),
    "e360.declared_value": ("报关单行数", "Declaration lines"),
    "e360.paid_amount": ("收付汇笔数", "Payments"),
    "col.item_no": ("项号", "Item"),
    "e360.declarations": ("最近报关单", "Recent declarations"),
    "e360.payments": ("最近收付汇", "Recent payments"),
    "link.shareholding": ("持股", "Shareholding"),
    "link.shared_legal_rep": ("同一法定代表人", "Same legal representative"),
    "link.shared_address": ("同一地址", "Same address"),
    "link.shared_phone": ("同一电话", "Same phone"),
    "col.capital": ("注册资本（万元）", "Capital (10k CNY)"),
    "col.legal_rep": ("法定代表人", "Legal representative"),
    "col.address": ("地址", "Address"),
    "col.phone": ("电话", "Phone"),
    "col.declaration_id": ("报关单号", "Declaration"),
    "col.date": ("日期", "Date"),
    "col.direction": ("进出口", "Direction"),
    "col.hs_code": ("商品编码", "HS code"),
    "col.origin": ("原产国", "Origin"),
    "col.value": ("申报总价", "Value"),
    "col.currency": ("币制", "Currency"),
    "col.payment_id": ("流水号", "Payment"),
    "col.kind": ("类型", "Kind"),
    "col.country": ("对方国家", "Country"),
    "col.amount": ("金额", "Amount"),
    "nav.rules": ("规则试算", "Rule workbench"),
    "rules.title": ("规则编辑与试算", "Write and try a rule"),
    "rules.hint": (
        "规则作用于报关单字段，可引用风险名单，如 in_list('high_risk_origins', origin_country)",
        "Rules read declaration fields and risk lists, e.g. in_list('list_name', field)",
    ),
    "rules.valid": ("规则有效", "Rule is valid"),
    "rules.start": ("起始日期", "From"),
    "rules.end": ("截止日期", "To"),
    "rules.try": ("试算", "Try it"),
    "rules.result": (
        "共 {rows} 行报关单，命中 {hits} 行（{rate}）",
        "{hits} of {rows} declaration lines hit ({rate})",
    ),
    "rules.hits_per_day": ("每日命中行数", "Hits per day"),
    "nav.risk_lists": ("风险名单", "Risk lists"),
    "lists.title": ("风险名单", "Risk lists"),
    "lists.edit": ("增删名单值", "Add or remove values"),
    "lists.values": ("值（逗号分隔）", "Values (comma-separated)"),
    "lists.note": ("备注", "Note"),
    "lists.add": ("加入", "Add"),
    "lists.remove": ("移出", "Remove"),
    "lists.saved": ("已保存", "Saved"),
    "lists.kind.block": ("黑名单", "block"),
    "lists.kind.allow": ("白名单", "allow"),
    "lists.kind.reference": ("参考名单", "reference"),
    "col.list": ("名单", "List"),
    "col.element_type": ("值类型", "Holds"),
    "col.version": ("版本", "Version"),
    "col.size": ("数量", "Size"),
    "col.values": ("值", "Values"),
    "col.description": ("说明", "Description"),
    "nav.rule_sets": ("规则集版本", "Rule sets"),
    "rulesets.title": ("规则集版本管理", "Rule-set versions"),
    "rulesets.hint": (
        "草稿由作者编辑并提交，须由另一名风险官审批后生效；草稿或待审批版本可影子运行",
        "An author edits and submits a draft; a second officer approves it into force. "
        "A draft or pending version may run in shadow",
    ),
    "rulesets.version_title": ("规则集 v{version}", "Rule set v{version}"),
    "rulesets.back": ("返回版本列表", "All versions"),
    "rulesets.new_draft": ("以此版本新建草稿", "New draft from this version"),
    "rulesets.copied": ("复制自 v{version}", "copied from v{version}"),
    "rulesets.draft_created": ("已创建草稿 v{version}", "Draft v{version} created"),
    "rulesets.save": ("保存草稿", "Save draft"),
    "rulesets.saved": ("草稿已保存", "Draft saved"),
    "rulesets.submit": ("提交审批", "Submit for approval"),
    "rulesets.submitted": ("已提交审批", "Submitted for approval"),
    "rulesets.approve": ("审批通过并发布", "Approve & publish"),
    "rulesets.approved": ("已发布 v{version}", "v{version} published"),
    "rulesets.reject": ("驳回", "Reject"),
    "rulesets.rejected": ("已驳回", "Rejected"),
    "rulesets.decision_note": ("审批意见（驳回时必填）", "Decision note (required to reject)"),
    "rulesets.shadow_on": ("影子运行", "Run in shadow"),
    "rulesets.shadow_off": ("停止影子运行", "Stop shadow"),
    "rulesets.shadow_started": ("已开始影子运行", "Shadow run started"),
    "rulesets.shadow_stopped": ("已停止影子运行", "Shadow run stopped"),
    "rulesets.backtest": ("回测此版本", "Back-test this version"),
    "rulesets.valid": ("规则集有效", "Rule set is valid"),
    "rulesets.editable": (
        "您是此草稿的作者：可直接修改表达式、权重、理由与阈值，输入时即校验",
        "You wrote this draft: edit expressions, weights, reasons and thresholds in place; "
        "they are checked as you type",
    ),
    "rulesets.pending_own": (
        "此版本待另一名风险官审批",
        "This version waits for another officer's approval",
    ),
    "rulesets.thresholds": ("阈值", "Thresholds"),
    "rulesets.review": ("人工审核阈值", "Review at"),
    "rulesets.hold": ("布控查验阈值", "Hold at"),
    "rulesets.add_rule": ("新增规则", "Add a rule"),
    "rulesets.facts": (
        "作者 {author} · 创建于 {created} · 基于 {based_on}",
        "By {author} · created {created} · based on {based_on}",
    ),
    "rulesets.decision": ("{by} 于 {at} 审批：{note}", "Decided by {by} at {at}: {note}"),
    "rulesets.shadow_report": ("影子运行报告", "Shadow report"),
    "rulesets.shadow_summary": (
        "共 {assessed} 条实时研判，其中 {changed} 条结论不同",
        "{changed} of {assessed} live assessments would change outcome",
    ),
    "rulesets.transitions": ("结论变化", "Outcome changes"),
    "rulesets.only_shadow": ("仅候选版本命中", "Hit only by the candidate"),
    "rulesets.only_published": ("仅生效版本命中", "Hit only by the published version"),
    "rulesets.no_shadow_data": ("暂无影子运行数据", "No shadow verdicts yet"),
    "col.status": ("状态", "Status"),
    "col.author": ("作者", "Author"),
    "col.decided_by": ("审批人", "Decided by"),
    "col.rule_count": ("规则数", "Rules"),
    "col.shadow": ("影子运行", "Shadow"),
    "col.note": ("说明", "Note"),
    "col.rule": ("规则", "Rule"),
    "col.expression": ("表达式", "Expression"),
    "col.weight": ("权重", "Weight"),
    "col.reason_zh": ("理由（中文）", "Reason (zh)"),
    "col.reason_en": ("理由（英文）", "Reason (en)"),
    "col.scenario": ("场景", "Scenario"),
    "col.change": ("变化", "Change"),
    "col.count": ("条数", "Count"),
    "nav.backtest": ("规则回测", "Back-test"),
    "backtest.title": ("规则集回测", "Back-test a rule set"),
    "backtest.hint": (
        "用数据湖中的历史数据回放规则集，模拟区内可对照真实风险标注计算查准率与查全率",
        "Replay a rule set over the lake; on a simulated zone precision and recall are "
        "measured against the simulator's ground truth",
    ),
    "backtest.version": ("规则集版本", "Rule-set version"),
    "backtest.capacity": ("查验能力（%，可选）", "Inspection capacity (%, optional)"),
    "backtest.run": ("开始回测", "Run back-test"),
    "backtest.summary": (
        "{version}：{start} 至 {end}，用时 {seconds} 秒",
        "{version}: {start} to {end}, {seconds} s",
    ),
    "backtest.rows": ("{dataset}：{rows} 行", "{dataset}: {rows} rows"),
    "backtest.no_truth": (
        "非模拟数据：查准率与查全率未知",
        "Not a simulated zone: precision and recall are unknown",
    ),
    "backtest.per_day": ("每日预警数", "Alerts per day"),
    "backtest.per_rule": ("各规则命中数", "Hits per rule"),
    "backtest.scenarios": ("场景效果", "Scenarios"),
    "backtest.overlap": ("规则重叠（同时命中的行数）", "Rule overlap (rows hit by both)"),
    "backtest.tuning": ("阈值调优", "Threshold tuning"),
    "backtest.no_tuning": (
        "填写查验能力后可计算满足能力的审核阈值",
        "Give an inspection capacity to find the review threshold that fits it",
    ),
    "backtest.hits": ("命中数", "Hits"),
    "col.truth_rows": ("真实风险行数", "Truth rows"),
    "col.precision": ("查准率", "Precision"),
    "col.recall": ("查全率", "Recall"),
    "col.capacity": ("查验能力", "Capacity"),
    "col.threshold": ("审核阈值", "Review threshold"),
    "col.alerts": ("预警数", "Alerts"),
    "col.alert_rate": ("预警率", "Alert rate"),
    "col.true_alerts": ("命中真实风险", "True alerts"),
    "nav.assessments": ("实时研判", "Live assessments"),
    "feed.title": ("实时风险研判", "Live risk assessments"),
    "feed.live": (
        "每 {seconds} 秒自动刷新，点击一行查看详情",
        "Refreshes every {seconds} s; click a row for details",
    ),
    "feed.all": ("全部结论", "All outcomes"),
    "feed.filter": ("按结论筛选", "Filter by outcome"),
    "feed.total": ("合计", "Total"),
    "feed.detail": ("研判详情", "Assessment"),
    "feed.back": ("返回实时研判", "Live feed"),
    "feed.hits": ("命中规则", "Rules hit"),
    "feed.no_hits": ("未命中任何规则", "No rule fired"),
    "feed.scenarios": ("场景得分", "Scenario scores"),
    "feed.features": ("特征", "Features"),
    "feed.record": ("原始记录", "Record"),
    "feed.shadow": ("影子版本结论", "Shadow verdict"),
    "feed.shadow_text": (
        "v{version}：得分 {score}，结论 {outcome}，命中 {rules}",
        "v{version}: score {score}, {outcome}, rules {rules}",
    ),
    "feed.facts": (
        "{dataset} · {key} · 企业 {enterprise} · 规则集 v{version} · {at}",
        "{dataset} · {key} · enterprise {enterprise} · rule set v{version} · {at}",
    ),
    "col.assessed_at": ("研判时间（北京时间）", "Assessed (UTC+8)"),
    "col.record_key": ("记录", "Record"),
    "col.score": ("得分", "Score"),
    "col.outcome": ("结论", "Outcome"),
    "col.top_scenario": ("主要场景", "Top scenario"),
    "col.shadow_outcome": ("影子结论", "Shadow outcome"),
    "col.values_seen": ("取值", "Values"),
    "col.key": ("字段", "Field"),
    "col.plain_value": ("值", "Value"),
    **{f"outcome.{outcome.value}": pair for outcome, pair in OUTCOME_LABELS.items()},
    "col.id": ("编号", "ID"),
    "col.uscc": ("统一社会信用代码", "USCC"),
    "col.name": ("名称", "Name"),
    "col.registered": ("登记时间", "Registered"),
    "col.username": ("用户名", "Username"),
    "col.display_name": ("显示名称", "Display name"),
    "col.role": ("角色", "Role"),
    "col.enterprise": ("所属企业", "Enterprise"),
    "col.active": ("启用", "Active"),
    "col.created": ("创建时间", "Created"),
    "col.seq": ("序号", "Seq"),
    "col.at": ("时间（北京时间）", "Time (UTC+8)"),
    "col.actor": ("操作人", "Actor"),
    "col.action": ("操作", "Action"),
    "col.object": ("对象", "Object"),
    "col.detail": ("详情", "Detail"),
    "users.title": ("用户管理", "Users"),
    "audit.title": ("审计日志", "Audit log"),
    "audit.newest": ("最近 {count} 条记录", "Newest {count} records"),
    "audit.verify": ("校验审计链", "Verify chain"),
    "audit.intact": (
        "审计链完整：已校验 {checked} 条记录",
        "Chain intact: {checked} records checked",
    ),
    "audit.broken": ("审计链发现 {count} 处问题", "Chain has {count} findings"),
    "table.rows_per_page": ("每页行数", "Rows per page"),
    "table.no_data": ("暂无数据", "No data"),
    "common.yes": ("是", "yes"),
    "common.no": ("否", "no"),
    "common.forbidden": ("您的角色无权访问此页面", "Your role may not open this page"),
}


def t(key: str, lang: Language) -> str:
    """The label ``key`` in ``lang``; an unknown key is shown as itself, so it is easy to spot."""
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[LANGUAGES.index(lang)]


def role_label(role: Role, lang: Language) -> str:
    """A role's name in ``lang`` (from the kernel's ``ROLE_LABELS``)."""
    zh, en = ROLE_LABELS[role]
    return zh if lang == "zh-CN" else en


def current_language(default: Language = DEFAULT_LANGUAGE) -> Language:
    """The language this browser chose, else ``default``."""
    chosen = app.storage.user.get(LANGUAGE_KEY)
    return next((lang for lang in LANGUAGES if lang == chosen), default)


def choose_language(lang: Language) -> None:
    """Remember this browser's language."""
    app.storage.user[LANGUAGE_KEY] = lang
