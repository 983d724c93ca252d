"""schema.org JSON-LD for profiles: Person or Organization, one award per honour."""

from __future__ import annotations

from flask import current_app


def json_ld(record: dict) -> dict:
    base = current_app.config["BASE_URL"].rstrip("/")
    individual = record["kind"] == "individual"
    data = {
        "@context": "https://schema.org",
        "@type": "Person" if individual else "Organization",
        "@id": f"{base}/honorees/{record['id']}",
        "url": f"{base}/honorees/{record['id']}",
        "name": record["name"],
        "description": record["summary"] or "",
        "award": [f"{o['year']}年{o['title']}" for o in record["honours"]],
    }
    if record.get("portrait") and record["portrait"]["files"]["jpeg"]:
        data["image"] = f"{base}/media/{record['portrait']['files']['jpeg'][-1]['name']}"
    place = "".join(filter(None, [record["province"], record["city"], record["county"]]))
    if individual:
        if record["unit"]:
            data["worksFor"] = {"@type": "Organization", "name": record["unit"]}
        if record["position"]:
            data["jobTitle"] = record["position"]
        if record["gender"] in ("男", "女"):
            data["gender"] = "Male" if record["gender"] == "男" else "Female"
        if place:
            data["workLocation"] = {"@type": "Place", "name": place}
    else:
        if record["unit"] and record["unit"] != record["name"]:
            data["parentOrganization"] = {"@type": "Organization", "name": record["unit"]}
        if place:
            data["location"] = {"@type": "Place", "name": place}
        data["member"] = [
            {"@type": "Person", "name": m["name"], "url": f"{base}/honorees/{m['id']}"}
            for m in record["members"]
        ]
    return data
