"""The honour-title vocabulary the archive starts with.

Each title carries its default level and whom it is conferred on. Curators can add
titles later; these rows are seeded by the first migration.
"""

LEVELS = {
    "national": "全国",
    "provincial": "省级",
    "municipal": "市级",
    "industry": "行业",
}

KINDS = {"individual": "个人", "collective": "集体"}

COLLECTIVE_TYPES = {"team": "班组", "unit": "单位"}

STATUSES = {
    "draft": "草稿",
    "review": "待审核",
    "published": "已发布",
    "withdrawn": "已撤回",
}

# (title, level, conferred on)
TITLES: list[tuple[str, str, str]] = [
    ("全国劳动模范", "national", "individual"),
    ("全国先进工作者", "national", "individual"),
    ("全国五一劳动奖章", "national", "individual"),
    ("大国工匠年度人物", "national", "individual"),
    ("全国五一劳动奖状", "national", "collective"),
    ("全国工人先锋号", "national", "collective"),
    ("省劳动模范", "provincial", "individual"),
    ("省先进工作者", "provincial", "individual"),
    ("省五一劳动奖章", "provincial", "individual"),
    ("省工匠", "provincial", "individual"),
    ("省五一劳动奖状", "provincial", "collective"),
    ("省工人先锋号", "provincial", "collective"),
    ("市劳动模范", "municipal", "individual"),
    ("市五一劳动奖章", "municipal", "individual"),
    ("市工人先锋号", "municipal", "collective"),
]

# Spellings offices use for a vocabulary title; seeded into ``title_aliases``
# (curators add more by merging titles).
TITLE_ALIASES = {"全国劳模": "全国劳动模范", "省劳模": "省劳动模范", "市劳模": "市劳动模范",
                 "全国五一奖章": "全国五一劳动奖章", "全国五一奖状": "全国五一劳动奖状",
                 "大国工匠": "大国工匠年度人物"}
