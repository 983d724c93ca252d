"""The OpenAPI 3.1 document of the read-only API. Tests validate real responses
against these schemas, so the document cannot drift from the code."""

from __future__ import annotations

from archive.catalogue.browse import SORTS
from archive.catalogue.vocabulary import KINDS, LEVELS

NULLABLE_STRING = {"type": ["string", "null"]}

LANG_PARAMETER = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"},
    "description": "回答的语言：zh（默认）或 en。en 时每个词表值（类别、集体类型、级别、荣誉称号、"
    "地区、行业、性别、民族、分面值）旁多一个以 _en 结尾的英文字段（词表中没有英文时为 null，"
    "请显示原值），错误信息为英文；原有字段的值不变，仍可作为筛选条件传回。"
    "The response's language: with en, each vocabulary value gains its English in a sibling "
    "field ending in _en (null where the vocabulary has none: show the value), and messages "
    "are in English; values never change. Other values answer 400.",
}


def _english(description: str) -> dict:
    """A field present only with ``lang=en``: the English of its sibling value."""
    return {
        **NULLABLE_STRING,
        "description": f"lang=en 时才有：{description}的英文，无英文时为 null",
    }


def _filter_parameters() -> list[dict]:
    def query(name: str, schema: dict, description: str) -> dict:
        return {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
            "description": description,
        }

    return [
        query("kind", {"type": "string", "enum": list(KINDS)}, "个人或集体"),
        query("level", {"type": "string", "enum": list(LEVELS)}, "荣誉级别"),
        query("title", {"type": "string"}, "荣誉称号，如 全国劳动模范"),
        query("year", {"type": "integer", "minimum": 1900, "maximum": 2100}, "授予年份"),
        query("region", {"type": "string"}, "所在城市，如 杭州市"),
        query(
            "nominator", {"type": "string"}, "推荐单位（省直单位、中央企业等不是地区的推荐渠道）"
        ),
        query("industry", {"type": "string"}, "行业"),
        query("sort", {"type": "string", "enum": list(SORTS)}, "排序：拼音或年份"),
        query("page", {"type": "integer", "minimum": 1}, "页码"),
        query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "每页条数"),
        LANG_PARAMETER,
    ]


SCHEMAS: dict = {
    "Honour": {
        "type": "object",
        "required": ["title", "level", "year"],
        "properties": {
            "title": {"type": "string"},
            "level": {"type": "string", "enum": list(LEVELS)},
            "year": {"type": "integer"},
            "body": NULLABLE_STRING,
            "document_no": NULLABLE_STRING,
            "citation": NULLABLE_STRING,
            "title_en": _english("荣誉称号"),
            "level_en": _english("级别"),
        },
    },
    "Image": {
        "type": ["object", "null"],
        "required": ["url", "width", "height", "alt", "placeholder"],
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "width": {"type": "integer"},
            "height": {"type": "integer"},
            "alt": {"type": "string"},
            "placeholder": {"type": "boolean"},
        },
    },
    "HonoreeSummary": {
        "type": "object",
        "required": ["id", "code", "kind", "name", "honours", "url", "short_url"],
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string", "pattern": "^[2-9A-HJKMNP-Z]{6}$"},
            "kind": {"type": "string", "enum": list(KINDS)},
            "collective_type": {"type": ["string", "null"], "enum": ["team", "unit", None]},
            "name": {"type": "string"},
            "name_pinyin": {"type": "string"},
            "unit": NULLABLE_STRING,
            "position": NULLABLE_STRING,
            "region": {
                "type": "object",
                "properties": {
                    "province": NULLABLE_STRING,
                    "city": NULLABLE_STRING,
                    "county": NULLABLE_STRING,
                    "code": NULLABLE_STRING,
                    "province_en": _english("省份"),
                    "city_en": _english("城市"),
                    "county_en": _english("区县"),
                },
            },
            "nominator": NULLABLE_STRING,
            "industry": NULLABLE_STRING,
            "summary": NULLABLE_STRING,
            "name_en": {
                **NULLABLE_STRING,
                "description": "the name in English: the "
                "curator's, else a person's in GB/T 28039 form (ZHAO Weidong); "
                "null for a collective without one",
            },
            "summary_en": {
                **NULLABLE_STRING,
                "description": "the summary in English, null where the record has none",
            },
            "kind_en": _english("类别"),
            "collective_type_en": _english("集体类型"),
            "industry_en": _english("行业"),
            "honours": {"type": "array", "items": {"$ref": "#/components/schemas/Honour"}},
            "url": {"type": "string", "format": "uri"},
            "short_url": {"type": "string", "format": "uri"},
            "portrait": {"$ref": "#/components/schemas/Image"},
            "updated_at": {"type": "string"},
        },
    },
    "Honoree": {
        "allOf": [
            {"$ref": "#/components/schemas/HonoreeSummary"},
            {
                "type": "object",
                "required": ["story", "members", "member_of", "exhibitions", "narration"],
                "properties": {
                    "gender": NULLABLE_STRING,
                    "ethnicity": NULLABLE_STRING,
                    "gender_en": _english("性别"),
                    "ethnicity_en": _english("民族"),
                    "birth": NULLABLE_STRING,
                    "story": {"type": "string"},
                    "story_en": NULLABLE_STRING,
                    "quote": NULLABLE_STRING,
                    "members": {"type": "array", "items": {"type": "integer"}},
                    "member_of": {"type": "array", "items": {"type": "integer"}},
                    "exhibitions": {"type": "array", "items": {"type": "integer"}},
                    "narration": {
                        "oneOf": [{"$ref": "#/components/schemas/Narration"}, {"type": "null"}],
                        "description": "the story read aloud (收听事迹), null where none is public",
                    },
                },
            },
        ]
    },
    "Narration": {
        "type": "object",
        "required": ["url", "duration_s", "transcript", "credit", "synthesised"],
        "properties": {
            "url": {"type": "string", "format": "uri", "description": "AAC-LC audio (.m4a)"},
            "duration_s": {"type": ["number", "null"]},
            "transcript": {"type": "string"},
            "credit": NULLABLE_STRING,
            "synthesised": {
                "type": "boolean",
                "description": "true for a synthesised voice (合成语音), false for a recording",
            },
        },
    },
    "HonoreePage": {
        "type": "object",
        "required": ["items", "total", "page", "per_page", "pages"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/HonoreeSummary"}},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "facets": {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["value", "count"],
                        "properties": {
                            "count": {"type": "integer"},
                            "value_en": _english("分面值（年份和推荐单位没有英文）"),
                        },
                    },
                },
            },
        },
    },
    "SearchPage": {
        "type": "object",
        "required": [
            "query",
            "sort",
            "items",
            "total",
            "page",
            "per_page",
            "pages",
            "facets",
            "suggestions",
            "unfiltered_total",
            "notices",
        ],
        "properties": {
            "query": {"type": "string"},
            "sort": {"type": "string", "enum": ["relevance", "year", "pinyin"]},
            "items": {
                "type": "array",
                "items": {
                    "allOf": [
                        {"$ref": "#/components/schemas/HonoreeSummary"},
                        {
                            "type": "object",
                            "required": ["snippet"],
                            "properties": {
                                "snippet": {
                                    "type": ["string", "null"],
                                    "description": "事迹摘录，HTML 已转义，命中词以 <mark> 标出",
                                }
                            },
                        },
                    ]
                },
            },
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "facets": {
                "type": "object",
                "additionalProperties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["value", "count"],
                        "properties": {
                            "count": {"type": "integer"},
                            "value_en": _english("分面值（年份和推荐单位没有英文）"),
                        },
                    },
                },
            },
            "suggestions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "unit", "honour"],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "unit": {"type": "string"},
                        "honour": {"type": "string"},
                        "honour_en": _english("荣誉称号"),
                    },
                },
            },
            "unfiltered_total": {
                "type": ["integer", "null"],
                "description": "无结果时，去掉筛选条件后的结果数",
            },
            "notices": {"type": "array", "items": {"type": "string"}},
            "degraded": {
                "type": ["string", "null"],
                "enum": ["previous", "database", None],
                "description": "检索索引损坏、正在重建时：previous 为上一版索引的结果，"
                "database 为只按姓名和拼音在数据库中查找的结果；平时为 null",
            },
        },
    },
    "ExhibitionSummary": {
        "type": "object",
        "required": ["id", "title", "intro", "url"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "intro": {"type": "string"},
            "url": {"type": "string"},
            "honoree_count": {"type": "integer"},
        },
    },
    "ExhibitionList": {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/ExhibitionSummary"}}
        },
    },
    "Exhibition": {
        "allOf": [
            {"$ref": "#/components/schemas/ExhibitionSummary"},
            {
                "type": "object",
                "required": ["sections"],
                "properties": {
                    "sections": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["title", "honorees"],
                            "properties": {
                                "title": {"type": "string"},
                                "intro": {"type": "string"},
                                "honorees": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/HonoreeSummary"},
                                },
                            },
                        },
                    }
                },
            },
        ]
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "accepted": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "参数值不被接受时（如 lang），可用的值",
                    },
                },
            }
        },
    },
}


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _errors(*codes: int) -> dict:
    return {str(code): _json("Error", "错误") for code in codes}


def document(base_url: str) -> dict:
    id_param = {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "description": "永久编号；超出范围的编号回答 400",
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "劳模工匠数字档案馆 开放数据接口",
            "version": "1.0.0",
            "description": "只读接口。只包含已发布的记录；编号（id）与短码（code）永久不变。"
            "每个接口都接受 lang=zh（默认）或 lang=en：en 时词表值另附英文（…_en 字段），"
            "错误信息为英文。",
        },
        "servers": [{"url": f"{base_url}/api/v1"}],
        "paths": {
            "/honorees": {
                "get": {
                    "summary": "按条件浏览已发布的荣誉人物与集体",
                    "parameters": _filter_parameters()
                    + [
                        {
                            "name": "facets",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["1"]},
                            "description": "附带分面计数",
                        }
                    ],
                    "responses": {"200": _json("HonoreePage", "一页结果"), **_errors(400)},
                }
            },
            "/search": {
                "get": {
                    "summary": "全文检索：姓名、拼音、首字母、繁体字、单位、事迹和带引号的整句，可与分面筛选组合",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                            "description": "检索词",
                        }
                    ]
                    + [p for p in _filter_parameters() if p["name"] != "sort"]
                    + [
                        {
                            "name": "sort",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": ["relevance", "year", "pinyin"]},
                            "description": "排序：相关度、年份或拼音",
                        }
                    ],
                    "responses": {"200": _json("SearchPage", "一页检索结果"), **_errors(400, 503)},
                }
            },
            "/honorees/{id}": {
                "get": {
                    "summary": "单个荣誉人物或集体",
                    "parameters": [id_param, LANG_PARAMETER],
                    "responses": {"200": _json("Honoree", "记录"), **_errors(400, 404)},
                }
            },
            "/honorees.csv": {
                "get": {
                    "summary": "已发布记录的 CSV 下载（UTF-8，带 BOM）",
                    "parameters": [*_filter_parameters()[:6], LANG_PARAMETER],
                    "responses": {
                        "200": {
                            "description": "CSV 文件；lang=en 时末尾另有英文列 name_en、kind_en、"
                            "province_en、city_en、county_en、industry_en、honours_en",
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        **_errors(400),
                    },
                }
            },
            "/exhibitions": {
                "get": {
                    "summary": "已发布的展厅",
                    "parameters": [LANG_PARAMETER],
                    "responses": {"200": _json("ExhibitionList", "展厅列表"), **_errors(400)},
                }
            },
            "/exhibitions/{id}": {
                "get": {
                    "summary": "单个展厅及其分区",
                    "parameters": [id_param, LANG_PARAMETER],
                    "responses": {"200": _json("Exhibition", "展厅"), **_errors(400, 404)},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
