"""The product a complaint is about, read from its text when the intake's product field is empty.

A backend that leaves the field empty still lets the customer write "型号 WM-200 的洗衣机": the
model code is what the store counts repeats and concentration on, so it is taken first; failing
a code, the kind of product named ("washing machine", 热水壶). Either is marked inferred in the
grade's reasons, since nobody confirmed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grading.words import simplified

# A model code: letters, an optional hyphen, digits (WM-200, KT12, HX-9, AC-500X). Error codes
# (E3), hotlines (12315) and acronyms (GDPR) are not codes: two letters or a hyphen are needed.
_CODE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2,5}-?\d{1,5}[A-Za-z]?|[A-Za-z]-\d{1,5}[A-Za-z]?)(?![A-Za-z0-9])"
)
# Words before a code that say it is a product's ("型号 WM-200", "model XR-7").
_CODE_CUE = re.compile(r"(型号|型號|款|model|型)\s*[:：]?\s*$", re.IGNORECASE)

KINDS = (
    "洗衣机", "洗衣機", "烘干机", "洗碗机", "冰箱", "空调", "空調", "热水器", "熱水器", "电热水壶",
    "电水壶", "热水壶", "吹风机", "微波炉", "微波爐", "电饭煲", "空气炸锅", "烤箱", "电暖器",
    "電暖器", "取暖器", "吸尘器", "扫地机", "燃气灶", "充电宝", "充电器", "插线板", "电熨斗",
    "电风扇", "電風扇", "电热毯", "加湿器", "手机", "耳机", "婴儿车", "婴儿床", "儿童座椅",
    "washing machine", "washer", "dryer", "dishwasher", "fridge", "refrigerator",
    "air conditioner", "boiler", "water heater", "kettle", "hairdryer", "hair dryer",
    "microwave", "rice cooker", "air fryer", "oven", "heater", "vacuum", "hob", "power bank",
    "charger", "blender", "toaster", "humidifier", "phone", "headphones", "pram", "car seat",
)  # fmt: skip
_KIND = re.compile(
    "|".join(
        rf"(?<![a-z]){re.escape(k)}s?(?![a-z])" if k.isascii() else re.escape(k)
        for k in sorted(KINDS, key=len, reverse=True)
    ),
    re.IGNORECASE,
)
_ERROR_CUE = re.compile(r"(错误|錯誤|故障|代码|代碼|error|code)\s*[:：]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class InferredProduct:
    """What the text says the product is: `name` is the code when there is one."""

    name: str
    code: str | None
    kind: str | None


def product_in(text: str) -> InferredProduct | None:
    """The product named in `text`: a model code (one after 型号 / model first), else a kind of
    product; None when the text names neither."""
    codes = [
        m
        for m in _CODE.finditer(text)
        if not _ERROR_CUE.search(text[: m.start()]) and not m.group(1).isalpha()
    ]
    cued = [m for m in codes if _CODE_CUE.search(text[: m.start()])]
    code = (cued or codes)[0].group(1).upper() if codes else None
    kind_match = _KIND.search(simplified(text))  # 吸塵器 is a 吸尘器
    kind = kind_match.group(0).lower() if kind_match else None
    if code is None and kind is None:
        return None
    return InferredProduct(name=code or kind or "", code=code, kind=kind)
