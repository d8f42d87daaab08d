"""Industry codes (GB/T 4754-2017 classes) for the plan's clusters and the zone's services.

The codes are the national classification's four-digit classes with their section letter.
The cluster names follow the plan (集成电路、生物医药、人工智能、民用航空、智能新能源汽车、
高端装备制造) plus trade, logistics and finance. Codes marked ``confidence="medium"`` are the
nearest class where the classification has no class of that exact name (AI has none).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Industry:
    """A GB/T 4754-2017 class and the plan cluster it belongs to."""

    code: str
    name_zh: str
    name_en: str
    cluster: str
    confidence: str = "high"


CLUSTERS: dict[str, tuple[str, str]] = {
    "ic": ("集成电路", "Integrated circuits"),
    "biomed": ("生物医药", "Biomedicine"),
    "ai": ("人工智能", "Artificial intelligence"),
    "aviation": ("民用航空", "Civil aviation"),
    "nev": ("智能新能源汽车", "Smart new-energy vehicles"),
    "equipment": ("高端装备制造", "High-end equipment"),
    "trade": ("贸易", "Trade"),
    "logistics": ("物流", "Logistics"),
    "finance": ("金融", "Finance"),
}

INDUSTRIES: tuple[Industry, ...] = (
    Industry("C3973", "集成电路制造", "Integrated circuit manufacturing", "ic"),
    Industry("I6520", "集成电路设计", "Integrated circuit design", "ic"),
    Industry("C3985", "电子专用材料制造", "Electronic special materials", "ic"),
    Industry("C2761", "生物药品制造", "Biological medicine manufacturing", "biomed"),
    Industry("C2720", "化学药品制剂制造", "Chemical drug preparations", "biomed"),
    Industry("C3581", "医疗诊断、监护及治疗设备制造", "Medical diagnostic equipment", "biomed"),
    Industry("I6513", "应用软件开发（人工智能）", "Application software (AI)", "ai", "medium"),
    Industry("C3491", "工业机器人制造", "Industrial robot manufacturing", "ai", "medium"),
    Industry("C3741", "飞机制造", "Aircraft manufacturing", "aviation"),
    Industry("C3744", "航空相关设备制造", "Aviation equipment manufacturing", "aviation"),
    Industry("C3612", "新能源车整车制造", "New-energy vehicle manufacturing", "nev"),
    Industry("C3670", "汽车零部件及配件制造", "Auto parts manufacturing", "nev"),
    Industry("C3841", "锂离子电池制造", "Lithium-ion battery manufacturing", "nev"),
    Industry("C3421", "金属切削机床制造", "Metal-cutting machine tools", "equipment"),
    Industry("C3511", "矿山机械制造", "Mining machinery", "equipment", "medium"),
    Industry("F5181", "贸易代理", "Trade agency", "trade"),
    Industry("F5179", "其他机械设备及电子产品批发", "Other machinery wholesale", "trade"),
    Industry("G5821", "货物运输代理", "Freight forwarding", "logistics"),
    Industry("G5941", "通用仓储", "General warehousing", "logistics"),
    Industry("J6930", "非金融机构支付服务", "Non-bank payment services", "finance", "medium"),
)

INDUSTRY_BY_CODE: dict[str, Industry] = {i.code: i for i in INDUSTRIES}
