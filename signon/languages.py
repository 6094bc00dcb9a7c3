"""Languages a statement can be written in: BCP 47 code -> name in that language."""

import re

LANGUAGES: dict[str, str] = {
    "am": "አማርኛ",
    "ar": "العربية",
    "az": "Azərbaycanca",
    "bg": "Български",
    "bn": "বাংলা",
    "bs": "Bosanski",
    "ca": "Català",
    "cs": "Čeština",
    "da": "Dansk",
    "de": "Deutsch",
    "el": "Ελληνικά",
    "en": "English",
    "es": "Español",
    "et": "Eesti",
    "fa": "فارسی",
    "fi": "Suomi",
    "fr": "Français",
    "he": "עברית",
    "hi": "हिन्दी",
    "hr": "Hrvatski",
    "hu": "Magyar",
    "hy": "Հայերեն",
    "id": "Bahasa Indonesia",
    "it": "Italiano",
    "ja": "日本語",
    "ka": "ქართული",
    "kk": "Қазақша",
    "ko": "한국어",
    "ky": "Кыргызча",
    "lt": "Lietuvių",
    "lv": "Latviešu",
    "mk": "Македонски",
    "nl": "Nederlands",
    "no": "Norsk",
    "pl": "Polski",
    "ps": "پښتو",
    "pt": "Português",
    "ro": "Română",
    "ru": "Русский",
    "sk": "Slovenčina",
    "sl": "Slovenščina",
    "sq": "Shqip",
    "sr": "Српски",
    "sv": "Svenska",
    "sw": "Kiswahili",
    "tg": "Тоҷикӣ",
    "th": "ไทย",
    "tk": "Türkmençe",
    "tr": "Türkçe",
    "uk": "Українська",
    "ur": "اردو",
    "uz": "Oʻzbekcha",
    "vi": "Tiếng Việt",
    "zh": "中文",
}

RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ps", "ur"})
RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def direction(language: str) -> str:
    """'rtl' for a right-to-left language, else 'ltr'."""
    return "rtl" if language.split("-")[0] in RIGHT_TO_LEFT else "ltr"


def label_direction(text: str) -> str:
    """'rtl' for a line in a right-to-left script (a translated label), else 'ltr'."""
    return "rtl" if RTL_LETTER.search(text or "") else "ltr"
