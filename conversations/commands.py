"""The slash commands, once: each name with the other names it goes by, what it does, and the
line a channel's command menu shows for it.

Telegram registers the menu (setMyCommands) from `MENU`; `conversations.intents` reads a typed
"/ketqua" through `COMMANDS`; the help text names the same commands (a test checks that every
command it names is here). Channels without a menu (Zalo, the console) still understand every
name typed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    """What the official types after the slash: ASCII, as Telegram's menu requires."""
    intent: str | None
    """The intent kind it stands for (`conversations.intents`); None for /start, /donvi,
    /lienket, /nop, /dangnhap and /danhsach, which the engine handles itself (creating or
    joining a unit; `conversations.unit_details`; `conversations.linking`;
    `conversations.submitting`; `conversations.roster_chat`)."""
    menu: str | None = None
    """The menu's description; None: understood when typed, not listed."""
    aliases: tuple[str, ...] = ()
    """Other names typed for it: plain Vietnamese spellings and the English words."""


QUESTION_COMMAND = "hoi"
"""“/hoi <câu hỏi>”: the question after it is read as if typed on its own."""

COMMANDS: tuple[Command, ...] = (
    Command("start", None, "Bắt đầu: tạo hoặc tham gia đơn vị"),
    Command(
        "danhgia",
        "resume",
        "Đánh giá, tiếp tục đúng chỗ đang dừng",
        ("tieptuc", "resume", "continue"),
    ),
    Command("ketqua", "result", "Kết quả hiện tại và còn thiếu gì", ("result",)),
    Command("baocao", "report", "Báo cáo tự đánh giá", ("report",)),
    Command("sua", "edit", "Sửa câu trả lời một chỉ tiêu, ví dụ /sua 2.4", ("edit",)),
    Command(
        "donvi",
        None,
        "Thông tin đơn vị: tên, tỉnh, loại, số thành viên",
        ("don_vi", "thongtindonvi"),
    ),
    Command(QUESTION_COMMAND, "help", "Hỏi nhanh, ví dụ /hoi cần gì để đạt mức 2"),
    Command("huongdan", "help", "Hướng dẫn sử dụng", ("help", "trogiup")),
    Command("huy", "cancel", "Dừng câu hỏi hiện tại", ("cancel",)),
    Command(
        "tatnhacnho",
        "reminders_off",
        "Tắt nhắc hạn nộp hồ sơ",
        ("tat_nhac_nho", "tatnhac", "remindersoff"),
    ),
    Command(
        "batnhacnho",
        "reminders_on",
        "Bật lại nhắc hạn nộp hồ sơ",
        ("bat_nhac_nho", "batnhac", "reminderson"),
    ),
    Command(
        "lienket",
        None,
        "Liên kết Telegram và Zalo: dùng chung một hồ sơ",
        ("lien_ket", "link"),
    ),
    Command("nop", None, "Nộp hồ sơ (quản trị viên đơn vị)", ("nophoso", "nop_ho_so", "submit")),
    Command(
        "hoso",
        "dossier",
        "Tải cả hồ sơ (ZIP) để nộp (quản trị viên đơn vị)",
        ("ho_so", "taihoso", "tai_ho_so", "dossier"),
    ),
    Command("dangnhap", None, "Đăng nhập trang quản lý", ("dang_nhap", "login", "dashboard")),
    Command(
        "danhsach",
        None,
        "Mẫu danh sách thành viên; gửi lại tệp đã điền để đếm",
        ("danh_sach", "mau_danh_sach", "roster"),
    ),
    Command("quaylai", "back", aliases=("back",)),
    Command("boqua", "skip", aliases=("skip",)),
    Command("bosungsau", "later_evidence", aliases=("later",)),
    Command("tamdung", "pause", aliases=("pause",)),
    Command("tiendo", "progress", aliases=("progress",)),
    Command("thieu", "missing_evidence", aliases=("thieuminhchung", "missing")),
    Command("hannop", "deadline", aliases=("deadline",)),
    Command("dieukien", "need_level", aliases=("muc",)),
)

MENU: tuple[tuple[str, str], ...] = tuple(
    (command.name, command.menu) for command in COMMANDS if command.menu is not None
)
"""(name, description) in the order a channel's menu lists them."""

BY_NAME: dict[str, Command] = {
    name: command for command in COMMANDS for name in (command.name, *command.aliases)
}
"""Every name typed after the slash, to its command."""
