"""The lake catalog: every dataset's Arrow schema, partitioning, key and field rules, declared once.

This module is pure (no I/O): the importer, the simulator, the API and the console all read
the same specs. Field rules name the reference set they are checked against (``hs6``,
``country``, ``currency``…); the validator resolves those sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import pyarrow as pa


class Check(StrEnum):
    """How a field's values are checked, beyond their type and presence."""

    NONE = "none"
    ENUM = "enum"  # value in Field.values
    PATTERN = "pattern"  # full match of Field.pattern
    POSITIVE = "positive"  # > 0
    NON_NEGATIVE = "non_negative"  # >= 0
    HS_CODE = "hs_code"  # 6, 8 or 10 digits whose first six are an HS 2022 subheading
    COUNTRY = "country"  # ISO 3166-1 alpha-2
    CURRENCY = "currency"  # ISO 4217 alphabetic
    USCC = "uscc"  # 统一社会信用代码 with a valid GB 32100-2015 check character
    ENTERPRISE_CODE = "enterprise_code"  # a USCC when 18 characters, else a 6–17 char foreign id
    UN_NUMBER = "un_number"  # UN0004–UN3599 written as four digits
    DG_CLASS = "dg_class"  # GB 6944 class or division, e.g. 3, 2.1, 6.1
    CONTAINER = "container"  # ISO 6346 container number with its check digit


@dataclass(frozen=True, slots=True)
class Field:
    """One column: Arrow type, whether it is required, its check, and labels."""

    name: str
    type: pa.DataType
    required: bool = True
    check: Check = Check.NONE
    values: tuple[str, ...] = ()
    pattern: str = ""
    label_zh: str = ""


@dataclass(frozen=True, slots=True)
class Dataset:
    """A lake dataset: fields, the key that makes appends idempotent, the partition date."""

    name: str
    label_zh: str
    label_en: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    partition_by: str  # a date or timestamp field; files are partitioned by its day
    lineage: tuple[Field, ...] = field(default=())
    enterprise_field: str = ""  # the column naming the zone enterprise (360° view), if any

    @property
    def field_names(self) -> tuple[str, ...]:
        """The declared columns, in order."""
        return tuple(f.name for f in self.fields)

    def get(self, name: str) -> Field:
        """The declared field called ``name``; ``KeyError`` if there is none."""
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema of stored files: declared fields, then lineage columns."""
        return pa.schema(
            [pa.field(f.name, f.type, nullable=not f.required) for f in self.fields]
            + [pa.field(f.name, f.type, nullable=False) for f in LINEAGE]
        )


LINEAGE = (
    Field("import_id", pa.string(), label_zh="导入批次"),
    Field("ingested_at", pa.timestamp("us", tz="UTC"), label_zh="入湖时间"),
)

# GB 6944-2012 classes and divisions.
DG_CLASSES = (
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3", "4.1", "4.2", "4.3",
    "5.1", "5.2", "6.1", "6.2", "7", "8", "9",
)  # fmt: skip
TRANSPORT_MODES = ("sea", "air", "road", "rail", "post", "multimodal", "pipeline")
# 监管方式 (customs supervision modes), four-digit codes; see docs/lake.md for labels.
TRADE_MODES = ("0110", "0214", "0615", "0654", "1210", "1233", "1234", "5000", "5034", "9610")
UNITS = ("KGM", "TNE", "PCE", "SET", "LTR", "MTQ", "MTK", "MTR", "PR", "BX")
USCC_PATTERN = r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"
CUSTOMS_OFFICE_PATTERN = r"[0-9A-Z]{2,6}"  # 关区代码, e.g. 2248; foreign data keep their own

DECLARATIONS = Dataset(
    name="declarations",
    label_zh="报关单",
    label_en="Customs declarations",
    key=("declaration_id", "item_no"),
    partition_by="declared_on",
    enterprise_field="enterprise_code",
    fields=(
        Field(
            "declaration_id",
            pa.string(),
            pattern=r"[0-9A-Za-z-]{6,24}",
            check=Check.PATTERN,
            label_zh="报关单号",
        ),
        Field("item_no", pa.int32(), check=Check.POSITIVE, label_zh="项号"),
        Field("declared_on", pa.date32(), label_zh="申报日期"),
        Field(
            "direction",
            pa.string(),
            check=Check.ENUM,
            values=("import", "export"),
            label_zh="进出口",
        ),
        Field("enterprise_code", pa.string(), check=Check.ENTERPRISE_CODE, label_zh="收发货人"),
        Field("declarant_id", pa.string(), label_zh="申报单位"),
        Field("foreign_party", pa.string(), label_zh="境外收发货人"),
        Field("hs_code", pa.string(), check=Check.HS_CODE, label_zh="商品编码"),
        Field("origin_country", pa.string(), check=Check.COUNTRY, label_zh="原产国"),
        Field("departure_country", pa.string(), check=Check.COUNTRY, label_zh="启运国"),
        Field("declared_value", pa.float64(), check=Check.POSITIVE, label_zh="申报总价"),
        Field("currency", pa.string(), check=Check.CURRENCY, label_zh="币制"),
        Field("quantity", pa.float64(), check=Check.POSITIVE, label_zh="数量"),
        Field("unit", pa.string(), check=Check.ENUM, values=UNITS, label_zh="计量单位"),
        Field("net_mass_kg", pa.float64(), check=Check.NON_NEGATIVE, label_zh="净重（千克）"),
        Field(
            "transport_mode",
            pa.string(),
            check=Check.ENUM,
            values=TRANSPORT_MODES,
            label_zh="运输方式",
        ),
        Field(
            "customs_office",
            pa.string(),
            check=Check.PATTERN,
            pattern=CUSTOMS_OFFICE_PATTERN,
            label_zh="申报地海关",
        ),
        Field("trade_mode", pa.string(), check=Check.ENUM, values=TRADE_MODES, label_zh="监管方式"),
        Field(
            "un_number", pa.string(), required=False, check=Check.UN_NUMBER, label_zh="联合国编号"
        ),
        Field(
            "dg_class", pa.string(), required=False, check=Check.DG_CLASS, label_zh="危险货物类别"
        ),
    ),
)

PAYMENTS = Dataset(
    name="payments",
    label_zh="跨境收付汇",
    label_en="Cross-border payments",
    key=("payment_id",),
    partition_by="paid_on",
    enterprise_field="enterprise_uscc",
    fields=(
        Field(
            "payment_id",
            pa.string(),
            check=Check.PATTERN,
            pattern=r"[0-9A-Za-z-]{6,32}",
            label_zh="流水号",
        ),
        Field("paid_on", pa.date32(), label_zh="日期"),
        Field(
            "kind",
            pa.string(),
            check=Check.ENUM,
            values=("receipt", "payment", "fx_purchase"),
            label_zh="收付类型",
        ),
        Field("enterprise_uscc", pa.string(), check=Check.USCC, label_zh="境内主体"),
        Field("payer", pa.string(), label_zh="付款人"),
        Field("payee", pa.string(), label_zh="收款人"),
        Field("counterparty_country", pa.string(), check=Check.COUNTRY, label_zh="对方国家"),
        Field("currency", pa.string(), check=Check.CURRENCY, label_zh="币种"),
        Field("amount", pa.float64(), check=Check.POSITIVE, label_zh="金额"),
        Field(
            "purpose_code", pa.string(), check=Check.PATTERN, pattern=r"\d{6}", label_zh="交易编码"
        ),
        Field("declaration_id", pa.string(), required=False, label_zh="关联报关单"),
    ),
)

GATE_EVENTS = Dataset(
    name="gate_events",
    label_zh="卡口过卡",
    label_en="Bonded-zone gate events",
    key=("event_id",),
    partition_by="occurred_at",
    enterprise_field="enterprise_uscc",
    fields=(
        Field("event_id", pa.string(), label_zh="过卡编号"),
        Field("occurred_at", pa.timestamp("us", tz="UTC"), label_zh="过卡时间"),
        Field("gate_id", pa.string(), label_zh="卡口"),
        Field("direction", pa.string(), check=Check.ENUM, values=("in", "out"), label_zh="进出区"),
        Field(
            "container_no", pa.string(), required=False, check=Check.CONTAINER, label_zh="集装箱号"
        ),
        Field("vehicle_plate", pa.string(), label_zh="车牌"),
        Field("enterprise_uscc", pa.string(), check=Check.USCC, label_zh="区内企业"),
        Field("goods_description", pa.string(), label_zh="货物"),
        Field("hs_code", pa.string(), required=False, check=Check.HS_CODE, label_zh="商品编码"),
        Field("declaration_id", pa.string(), required=False, label_zh="关联报关单"),
        Field("gross_mass_kg", pa.float64(), check=Check.NON_NEGATIVE, label_zh="毛重（千克）"),
    ),
)

MANIFESTS = Dataset(
    name="manifests",
    label_zh="危险货物申报",
    label_en="Dangerous-goods manifests",
    key=("manifest_id",),
    partition_by="declared_on",
    enterprise_field="enterprise_uscc",
    fields=(
        Field("manifest_id", pa.string(), label_zh="申报编号"),
        Field("declared_on", pa.date32(), label_zh="申报日期"),
        Field("enterprise_uscc", pa.string(), check=Check.USCC, label_zh="申报企业"),
        Field("declaration_id", pa.string(), required=False, label_zh="关联报关单"),
        Field("un_number", pa.string(), check=Check.UN_NUMBER, label_zh="联合国编号"),
        Field("dg_class", pa.string(), check=Check.DG_CLASS, label_zh="类别"),
        Field(
            "packing_group",
            pa.string(),
            required=False,
            check=Check.ENUM,
            values=("I", "II", "III"),
            label_zh="包装类别",
        ),
        Field("proper_shipping_name", pa.string(), label_zh="正式运输名称"),
        Field("quantity_kg", pa.float64(), check=Check.POSITIVE, label_zh="数量（千克）"),
        Field(
            "container_no", pa.string(), required=False, check=Check.CONTAINER, label_zh="集装箱号"
        ),
    ),
)

REGISTRATIONS = Dataset(
    name="registrations",
    label_zh="企业登记事件",
    label_en="Enterprise registration events",
    key=("event_id",),
    partition_by="occurred_on",
    enterprise_field="uscc",
    fields=(
        Field("event_id", pa.string(), label_zh="事件编号"),
        Field("occurred_on", pa.date32(), label_zh="日期"),
        Field("uscc", pa.string(), check=Check.USCC, label_zh="统一社会信用代码"),
        Field(
            "kind",
            pa.string(),
            check=Check.ENUM,
            values=("establish", "change", "deregister"),
            label_zh="事件类型",
        ),
        Field("field_changed", pa.string(), required=False, label_zh="变更事项"),
        Field("old_value", pa.string(), required=False, label_zh="变更前"),
        Field("new_value", pa.string(), required=False, label_zh="变更后"),
    ),
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (DECLARATIONS, PAYMENTS, GATE_EVENTS, MANIFESTS, REGISTRATIONS)
}
