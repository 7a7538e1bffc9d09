"""The dashboard's own sentences (Vietnamese, one per situation), kept in one place so that
the same refusal reads the same on every page and in the JSON API.

Each part of issue 15 appends its section at the end with a `# --- issue 15: <part> ---` header.
"""

from __future__ import annotations

# --- issue 15: web shell (part B) ---

APP_NAME = "Đơn vị học tập"
NOT_SIGNED_IN = "Bạn chưa đăng nhập; hãy gửi /dangnhap cho bot để nhận đường dẫn đăng nhập."
FORBIDDEN = "Bạn không có quyền xem hoặc làm việc này."
NOT_FOUND = "Không tìm thấy trang hoặc đơn vị này trong phạm vi của bạn."
CSRF_FAILED = "Biểu mẫu đã cũ hoặc không hợp lệ; hãy tải lại trang rồi làm lại."
SERVER_BUSY = "Hệ thống đang bận; dữ liệu chưa được lưu, vui lòng thử lại sau ít phút."
LOGIN_HOW = (
    "Để đăng nhập, hãy gửi lệnh /dangnhap cho bot trên Telegram hoặc Zalo; bot sẽ gửi một "
    "đường dẫn dùng một lần, có hạn 15 phút. Cán bộ phòng, sở chưa dùng bot thì xin đường dẫn "
    "từ người quản trị hệ thống của cơ quan."
)
LOGIN_CONFIRM = "Bấm nút dưới đây để đăng nhập vào trang quản lý."
LOGIN_BUTTON = "Đăng nhập"
LOGIN_UNKNOWN = (
    "Đường dẫn đăng nhập không đúng; hãy gửi /dangnhap cho bot để nhận đường dẫn mới "
    "hoặc hỏi người quản trị hệ thống của cơ quan."
)
LOGIN_USED = (
    "Đường dẫn này đã được dùng để đăng nhập; mỗi đường dẫn chỉ dùng một lần, hãy gửi "
    "/dangnhap cho bot để nhận đường dẫn mới."
)
LOGIN_EXPIRED = (
    "Đường dẫn đã hết hạn sau 15 phút; hãy gửi /dangnhap cho bot để nhận đường dẫn mới "
    "hoặc hỏi người quản trị hệ thống của cơ quan."
)
LOGIN_NO_ROLE = (
    "Trang quản lý dành cho cán bộ thẩm định và quản trị đơn vị; tài khoản của bạn chưa có "
    "vai trò nào trong số đó, hãy liên hệ người quản trị hệ thống của cơ quan."
)
LOGGED_OUT = "Bạn đã đăng xuất."
NAV_UNITS = "Đơn vị"
NAV_CHARTS = "Biểu đồ"
NAV_ADMIN = "Quản trị"
NAV_LOGOUT = "Đăng xuất"
