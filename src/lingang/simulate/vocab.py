"""Word lists the simulator draws names and places from. All names it makes are fictitious.

Road names are real Lingang streets so that addresses read naturally; numbers and rooms
are random. Country weights and FX rates are round simulation assumptions, not statistics.
"""

from __future__ import annotations

# (character, pinyin) syllables for company brand names: 芯瑞 → Xinrui.
BRAND_SYLLABLES: tuple[tuple[str, str], ...] = (
    ("芯", "Xin"), ("瑞", "Rui"), ("华", "Hua"), ("创", "Chuang"), ("泰", "Tai"), ("宏", "Hong"),
    ("博", "Bo"), ("睿", "Rui"), ("联", "Lian"), ("智", "Zhi"), ("达", "Da"), ("信", "Xin"),
    ("航", "Hang"), ("海", "Hai"), ("港", "Gang"), ("蓝", "Lan"), ("天", "Tian"), ("启", "Qi"),
    ("恒", "Heng"), ("源", "Yuan"), ("晶", "Jing"), ("微", "Wei"), ("科", "Ke"), ("新", "Xin"),
    ("东", "Dong"), ("远", "Yuan"), ("鼎", "Ding"), ("盛", "Sheng"), ("汇", "Hui"), ("通", "Tong"),
    ("捷", "Jie"), ("驰", "Chi"), ("澜", "Lan"), ("峰", "Feng"), ("云", "Yun"), ("星", "Xing"),
    ("宇", "Yu"), ("辰", "Chen"), ("川", "Chuan"), ("明", "Ming"), ("安", "An"), ("康", "Kang"),
    ("益", "Yi"), ("众", "Zhong"), ("和", "He"), ("嘉", "Jia"), ("佳", "Jia"), ("锐", "Rui"),
    ("腾", "Teng"), ("骏", "Jun"), ("朗", "Lang"), ("凯", "Kai"), ("昊", "Hao"), ("晟", "Sheng"),
    ("璟", "Jing"), ("沣", "Feng"), ("谷", "Gu"), ("臻", "Zhen"), ("卓", "Zhuo"), ("越", "Yue"),
    ("协", "Xie"), ("禾", "He"), ("润", "Run"), ("丰", "Feng"), ("舜", "Shun"), ("弘", "Hong"),
    ("铭", "Ming"), ("彦", "Yan"), ("极", "Ji"), ("度", "Du"), ("量", "Liang"), ("光", "Guang"),
)  # fmt: skip
NAME_PREFIXES: tuple[tuple[str, str], ...] = (
    ("上海临港", "Shanghai Lingang"), ("上海", "Shanghai"), ("临港", "Lingang"),
    ("上海洋山", "Shanghai Yangshan"),
)  # fmt: skip
# Industry wording of a company name, by plan cluster: (zh, en).
CLUSTER_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ic": (("微电子科技", "Microelectronics Technology"), ("半导体", "Semiconductor"),
           ("集成电路", "Integrated Circuit"), ("电子材料", "Electronic Materials")),
    "biomed": (("生物医药", "Biopharma"), ("医疗器械", "Medical Devices"),
               ("生物科技", "Biotechnology"), ("制药", "Pharmaceutical")),
    "ai": (("智能科技", "Intelligent Technology"), ("机器人", "Robotics"),
           ("人工智能", "Artificial Intelligence"), ("数据科技", "Data Technology")),
    "aviation": (("航空科技", "Aviation Technology"), ("航空装备", "Aero Equipment"),
                 ("飞行器", "Aircraft")),
    "nev": (("新能源汽车", "New Energy Vehicle"), ("汽车零部件", "Auto Parts"),
            ("动力电池", "Power Battery"), ("电驱动", "E-Drive")),
    "equipment": (("智能装备", "Intelligent Equipment"), ("机械", "Machinery"),
                  ("精密机床", "Precision Machine Tool"), ("重工", "Heavy Industry")),
    "trade": (("国际贸易", "International Trading"), ("供应链管理", "Supply Chain Management"),
              ("进出口", "Import & Export"), ("跨境贸易", "Cross-border Trading")),
    "logistics": (("国际物流", "International Logistics"), ("仓储", "Warehousing"),
                  ("供应链", "Supply Chain"),
                  ("国际货运代理", "International Freight Forwarding")),
    "finance": (("支付服务", "Payment Services"),
                ("金融信息服务", "Financial Information Services"),
                ("商业保理", "Commercial Factoring")),
}  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
)  # fmt: skip
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国志斌鹏宇浩婷雪琳晨"
    + "欣怡子轩梓涵博文佳俊凯瑞嘉"
)
# 行政区划代码 of birthplaces for resident ID numbers (Shanghai districts and large cities).
ID_REGIONS: tuple[str, ...] = (
    "310115", "310115", "310115", "310120", "310104", "310110", "310112", "310113", "320102",
    "320506", "330106", "330203", "340104", "350203", "370102", "410105", "420106", "430104",
    "440106", "510107", "610113", "210102",
)  # fmt: skip

ROADS: tuple[str, ...] = (
    "环湖西二路", "环湖西三路", "环湖北三路", "申港大道", "沪城环路", "水芸路", "新元南路",
    "云鹃路", "海港大道", "同汇路", "层林路", "飞渡路", "江山路", "顺通路", "临港大道",
    "两港大道", "方竹路", "正博路", "业盛路", "鸿音路", "宏祥北路", "橄榄路", "妙香路", "重岭南路",
)  # fmt: skip
ADDRESS_PREFIX = "上海市浦东新区中国（上海）自由贸易试验区临港新片区"
# Business-centre addresses many legitimate small firms register at (noise for shell detection).
SHARED_OFFICES: tuple[str, ...] = (
    "环湖西二路888号C楼", "新元南路555号A座", "业盛路188号A-1001室",
)  # fmt: skip

# Country, weight as a trading partner, usual company suffix, local currency.
COUNTRIES: tuple[tuple[str, float, str, str], ...] = (
    ("KR", 0.10, "Co., Ltd.", "KRW"), ("JP", 0.10, "Co., Ltd.", "JPY"), ("US", 0.10, "Inc.", "USD"),
    ("TW", 0.07, "Co., Ltd.", "USD"), ("DE", 0.07, "GmbH", "EUR"), ("HK", 0.06, "Limited", "HKD"),
    ("VN", 0.05, "JSC", "USD"), ("AU", 0.04, "Pty Ltd", "AUD"), ("MY", 0.04, "Sdn. Bhd.", "USD"),
    ("SG", 0.04, "Pte. Ltd.", "SGD"), ("TH", 0.03, "Co., Ltd.", "USD"), ("NL", 0.03, "B.V.", "EUR"),
    ("FR", 0.03, "S.A.S.", "EUR"), ("IT", 0.02, "S.p.A.", "EUR"), ("GB", 0.02, "Ltd", "GBP"),
    ("IN", 0.02, "Pvt. Ltd.", "USD"), ("BR", 0.02, "Ltda.", "USD"), ("RU", 0.02, "LLC", "USD"),
    ("ID", 0.02, "PT", "USD"), ("MX", 0.015, "S.A. de C.V.", "USD"), ("CH", 0.015, "AG", "CHF"),
    ("CA", 0.015, "Inc.", "USD"), ("SA", 0.01, "LLC", "USD"), ("AE", 0.01, "FZE", "USD"),
    ("CL", 0.01, "SpA", "USD"), ("BE", 0.01, "NV", "EUR"), ("SE", 0.01, "AB", "EUR"),
    ("ES", 0.01, "S.L.", "EUR"), ("VG", 0.004, "Ltd.", "USD"), ("KY", 0.003, "Ltd.", "USD"),
)  # fmt: skip
# Simulated constant FX rates: units of currency per US dollar.
FX_PER_USD: dict[str, float] = {
    "USD": 1.0, "CNY": 7.2, "EUR": 0.92, "JPY": 150.0, "KRW": 1350.0, "HKD": 7.8, "GBP": 0.79,
    "SGD": 1.34, "AUD": 1.52, "CHF": 0.88,
}  # fmt: skip
# Where laundered goods are routed, and offshore places shell money passes through.
LAUNDERING_HUBS: tuple[str, ...] = ("VN", "MY", "TH", "SG")
OFFSHORE: tuple[str, ...] = ("HK", "VG", "SG", "AE", "KY")

PARTNER_STEMS: tuple[str, ...] = (
    "Norvex", "Altamira", "Kestrel", "Bluefin", "Orinoco", "Veltra", "Solvay Ridge", "Corvant",
    "Helion", "Tarragon", "Mistral", "Quorra", "Brightwater", "Zephyra", "Lumora", "Granton",
    "Vireo", "Arcadia", "Pelagic", "Stratos", "Meridia", "Ironbark", "Calyx", "Nordhavn",
    "Sakura Field", "Hanbit", "Daebong", "Minato", "Kaito", "Rhein-Main", "Elbtal", "Saxon",
    "Lotus Bay", "Mekong", "Selangor", "Straits", "Chao Phraya", "Harbourline", "Pacifica", "Andes",
)  # fmt: skip
PARTNER_QUALIFIERS: tuple[str, ...] = (
    "", "Asia ", "International ", "Global ", "Pacific ", "Europe ", "Trading ", "Holdings ",
)  # fmt: skip
PARTNER_SECTORS: tuple[str, ...] = (
    "Electronics", "Trading", "Materials", "Components", "Pharma", "Industries", "Technologies",
    "Systems", "Chemicals", "Logistics", "Machinery", "Holdings", "Supply", "Precision",
)  # fmt: skip

BANKS: tuple[str, ...] = (
    "中国银行上海临港新片区支行", "中国工商银行上海临港新片区分行", "中国建设银行上海临港支行",
    "交通银行上海临港新片区支行", "招商银行上海临港支行",
)  # fmt: skip
