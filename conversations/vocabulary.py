"""The words officials type for each option of a choice question, besides its label.

Officials answer on phones, often without diacritics and in their own words: “UBND xã”,
“ubnd xa”, “phường” for the commune option, “trường THCS”, “lao động xuất sắc”, “đạt rồi”,
“chưa”. Each option (a button's kind and value, as `conversations.buttons` reads it) lists the
phrases that name it; the matcher (`conversations.matching`) compares them without diacritics
and prefers the longest phrase found, so “chưa đạt” is not “đạt” and “hợp tác xã” is not “xã”.

A phrase listed under two options names both on purpose (“cơ quan”: of the commune/district or
of the province; “cờ thi đua”: the province's or the Government's): the bot then asks
“Ý bạn là …?” with both rather than choosing. Phrases are written with diacritics for the
reader; they are compared folded. Bare “cờ” is not a phrase: folded it is “co”, which is also
“có” (yes).
"""

from __future__ import annotations

from collections.abc import Mapping

from conversations.buttons import PressKind

Key = tuple[PressKind, str]
"""An option: the kind of its button and the value it carries (`buttons.Press`)."""

_YES = (
    "đạt | đã đạt | đạt rồi | có | có rồi | đã có | rồi | đúng | đúng rồi | phải | vâng | dạ "
    "| ừ | ok | oke | yes | y | đ | đạt yêu cầu | đáp ứng | đã đáp ứng | có đạt | đủ"
)
_NO = (
    "chưa đạt | không đạt | ko đạt | k đạt | chưa | không | ko | k | kg | hông | chưa có "
    "| không có | chưa đáp ứng | không đáp ứng | chưa đủ | không phải | no | n "
    "| chưa đạt yêu cầu | không đạt yêu cầu"
)

_TABLE: dict[Key, str] = {
    # Welcome.
    ("new_unit", ""): "tạo mới | tạo đơn vị | tạo đơn vị mới | đơn vị mới | tạo | mới",
    ("have_code", ""): "có mã | có mã mời | mã mời | mã | nhập mã | tham gia | tôi có mã",
    # The unit type (conversations.questions.UNIT_CHOICES): TT24 Điều 1–2.
    ("unit_type", "xa"): (
        "UBND xã | xã | UBND phường | phường | xã phường | UBND | ủy ban | ủy ban xã "
        "| ủy ban nhân dân | ủy ban nhân dân xã | ủy ban nhân dân phường | thị trấn "
        "| UBND thị trấn | đặc khu | UBND đặc khu"
    ),
    ("unit_type", "cqh"): (
        "cơ quan | đoàn thể | cơ quan cấp xã | cơ quan cấp huyện | đoàn thể cấp xã "
        "| đoàn thể cấp huyện | cơ quan huyện | cơ quan xã | phòng ban | phòng ban huyện"
    ),
    ("unit_type", "cqt"): (
        "cơ quan | đoàn thể | cơ quan cấp tỉnh | đoàn thể cấp tỉnh | cơ quan tỉnh | sở "
        "| sở ban ngành | ban ngành tỉnh"
    ),
    ("unit_type", "mn"): (
        "trường mầm non | mầm non | MN | mẫu giáo | trường mẫu giáo | nhà trẻ | trường MN"
    ),
    ("unit_type", "th"): (
        "trường tiểu học | tiểu học | TH | trường TH | THCS | trường THCS | trung học cơ sở "
        "| trường trung học cơ sở | tiểu học và THCS | liên cấp | cấp 1 | cấp 2 | trường cấp 1 "
        "| trường cấp 2"
    ),
    ("unit_type", "thpt"): (
        "THPT | trường THPT | trung học phổ thông | trường trung học phổ thông | cấp 3 "
        "| trường cấp 3 | GDTX | trung tâm GDTX | GDTX tỉnh | trung tâm GDTX tỉnh"
        "| giáo dục thường xuyên"
    ),
    ("unit_type", "gdnnh"): (
        "GDNN-GDTX | trung tâm GDNN-GDTX | GDNN | trung tâm GDNN | GDTX | trung tâm GDTX "
        "| GDNN-GDTX huyện | giáo dục nghề nghiệp | giáo dục thường xuyên"
    ),
    ("unit_type", "gdnnt"): (
        "cao đẳng | trường cao đẳng | trung cấp | trường trung cấp | trường nghề | GDNN "
        "| GDNN cấp tỉnh | cơ sở GDNN | giáo dục nghề nghiệp"
    ),
    ("unit_type", "dh"): "đại học | trường đại học | ĐH | học viện",
    ("unit_type", "dnh"): (
        "doanh nghiệp | công ty | hợp tác xã | HTX | doanh nghiệp cấp xã "
        "| doanh nghiệp cấp huyện | doanh nghiệp huyện | doanh nghiệp xã"
        # Walked as an official (issue 12): who manages the enterprise, in their words.
        "| do xã quản lý | do huyện quản lý | do UBND xã quản lý | do UBND huyện quản lý "
        "| xã quản lý | huyện quản lý | doanh nghiệp do xã quản lý "
        "| doanh nghiệp do huyện quản lý "
        "| doanh nghiệp do UBND xã quản lý | doanh nghiệp do UBND huyện quản lý "
        "| công ty do xã quản lý | công ty do huyện quản lý | HTX do xã quản lý "
        "| hợp tác xã do xã quản lý"
    ),
    ("unit_type", "dnt"): (
        "doanh nghiệp | công ty | doanh nghiệp tỉnh | doanh nghiệp cấp tỉnh "
        "| doanh nghiệp nhà nước | công ty tỉnh"
        # Walked as an official (issue 12): “doanh nghiệp do tỉnh quản lý” named both.
        "| do tỉnh quản lý | do UBND tỉnh quản lý | tỉnh quản lý | doanh nghiệp do tỉnh quản lý "
        "| doanh nghiệp do UBND tỉnh quản lý | công ty do tỉnh quản lý "
        "| công ty do UBND tỉnh quản lý"
    ),
    # Đạt / chưa đạt.
    ("value", "y"): _YES,
    ("value", "n"): _NO,
    # Collective emulation titles (Luật Thi đua, khen thưởng 06/2022/QH15), 3.3.
    ("value", "khong_co"): (
        "chưa có | không có | không | chưa | chưa có danh hiệu | không có danh hiệu "
        "| chưa đạt | không đạt | chưa có danh hiệu thi đua"
    ),
    ("value", "tap_the_lao_dong_tien_tien"): (
        "lao động tiên tiến | tiên tiến | tập thể tiên tiến | LĐTT | TTLĐTT"
    ),
    ("value", "tap_the_lao_dong_xuat_sac"): (
        "lao động xuất sắc | xuất sắc | tập thể xuất sắc | LĐXS | TTLĐXS"
    ),
    ("value", "co_thi_dua_bo_nganh_tinh"): (
        "cờ thi đua | cờ thi đua cấp tỉnh | cờ thi đua tỉnh | cờ tỉnh | cờ của tỉnh "
        "| cờ thi đua của tỉnh | cờ thi đua UBND tỉnh | cờ UBND tỉnh | cờ thi đua cấp bộ "
        "| cờ thi đua bộ | cờ bộ | cờ thi đua ngành | cờ ngành | cờ thi đua cấp ngành"
    ),
    ("value", "co_thi_dua_chinh_phu"): (
        "cờ thi đua | cờ thi đua chính phủ | cờ chính phủ | cờ của chính phủ "
        "| cờ thi đua của chính phủ"
    ),
    # QĐ 4725 digital-transformation levels, 3.4.
    ("value", "chua_dap_ung"): (
        "chưa đáp ứng | không đáp ứng | chưa đạt | không đạt | chưa | không"
    ),
    ("value", "co_ban"): (
        "cơ bản | đáp ứng cơ bản | mức cơ bản | đạt cơ bản | đạt | đáp ứng | đã đáp ứng"
    ),
    ("value", "tot"): "tốt | đáp ứng tốt | mức tốt | đạt tốt | đạt | đáp ứng | đã đáp ứng",
}


def _phrases(listed: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in listed.split("|") if phrase.strip())


PHRASES: Mapping[Key, tuple[str, ...]] = {key: _phrases(listed) for key, listed in _TABLE.items()}
"""Each option's phrases besides its label (which always names it too)."""


def phrases(key: Key) -> tuple[str, ...]:
    return PHRASES.get(key, ())
