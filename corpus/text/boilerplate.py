"""Recognising boilerplate lines of web pages: menus, paging links, share buttons, footers.

A line is boilerplate when it is short and is *only* such an element — a menu item, a
breadcrumb trail, 「次のページ」, a share button, a copyright footer. Long lines that
merely mention these words are prose and stay. The quality stage removes these lines
before it scores a document, so a good article inside a page template is judged on
the article.

The word lists are ours, gathered from common Japanese site templates; HojiChar's
``header_footer_keywords_ja`` (Apache-2.0) covers similar ground.
"""

from __future__ import annotations

import re

#: Items of site menus, paging and account links, when a line holds nothing else.
MENU_ITEMS = frozenset(
    """
    ホーム トップ トップページ HOME Home TOP ホームへ戻る トップへ戻る トップに戻る ページトップへ
    ページの先頭へ ページの先頭へ戻る このページの先頭へ 先頭へ戻る 上へ戻る 戻る 一覧に戻る 一覧へ戻る
    記事一覧 一覧を見る もっと見る 続きを読む 続きを見る 詳しく見る 詳細はこちら 詳細を見る 次へ 前へ
    次のページ 前のページ 次のページへ 前のページへ 次の記事 前の記事 次の記事へ 前の記事へ 次の投稿 前の投稿
    最初へ 最後へ 会社概要 企業情報 事業内容 サービス 製品情報 お知らせ 新着情報 採用情報 お問い合わせ
    お問合せ 問い合わせ アクセス サイトマップ プライバシーポリシー 個人情報保護方針 個人情報の取り扱い
    利用規約 ご利用規約 免責事項 特定商取引法に基づく表記 運営会社 運営者情報 ログイン ログアウト 新規登録
    会員登録 無料会員登録 マイページ カート カートを見る 買い物かご よくある質問 ヘルプ メニュー MENU Menu
    閉じる 検索 サイト内検索 カテゴリー カテゴリ アーカイブ タグ 人気記事 関連記事 最近の投稿 最新記事
    おすすめ記事 ランキング 広告 PR スポンサーリンク Sponsored English 日本語 RSS Twitter X Facebook
    Instagram LINE YouTube シェア シェアする ツイート Tweet いいね いいね！ Pocket B! はてブ
    はてなブックマーク LINEで送る このページをシェア この記事をシェア SNSでシェア フォローする
    ページ上部へ 目次を開く 目次を閉じる コメントを書く コメントする 返信 返信する 印刷 印刷する
    ご利用ガイド ご利用案内 送料について 返品について 支払い方法 お支払い方法 配送について 特集 ブログ
    店舗情報 店舗一覧 キャンペーン 新商品 商品一覧 カテゴリ一覧 ショッピングガイド お気に入り
    """.split()
)

_BREADCRUMB = re.compile(
    r"^[^\s>＞»›|｜/／]{1,20}(\s*[>＞»›|｜/／]\s*[^\s>＞»›|｜/／]{1,30}){1,8}$"
)
_COPYRIGHT = re.compile(
    r"(copyright|(\(c\)|（c）)\s*\d{4}|©|all rights reserved|無断転載|無断複製|無断転用|禁無断)",
    re.I,
)
_SHARE = re.compile(
    r"^(この(記事|ページ|投稿)を)?((twitter|facebook|line|はてな|pocket|ｘ|x)で)?"
    r"(シェア|送る|共有|ツイート|保存)(する|しよう|お願いします)?[!！]?$",
    re.I,
)
_META = re.compile(
    r"^(投稿日|公開日|更新日|最終更新日|投稿者|カテゴリー?|タグ|tags?|posted|作成日)\s*[:：]", re.I
)
_COUNTED_ITEM = re.compile(
    r"^[^。、！？\s「」『』#＃*]{1,24}\s*[（(]\d{1,6}[）)]$"
)  # category widget: 旅行（12）
_PAGER = re.compile(
    r"^([«‹<＜]|前へ)?\s*\d+(\s+\d+)+\s*([»›>＞]|次へ)?$|^(\d+\s*)?(次|前)(の)?(\d+件|ページ)\s*[»›>＞]?$"
)

_SEPARATOR = re.compile(r"[\s>＞»›|｜/／・]")

#: Lines longer than this are never boilerplate (a sentence that mentions a menu word).
MAX_BOILERPLATE_CHARS = 80
#: Lines worth a closer look: short ones without 。、, and any naming a copyright.
_CANDIDATE = re.compile(
    rf"^[^\n。、]{{1,{MAX_BOILERPLATE_CHARS + 20}}}$"
    r"|^[^\n]{0,100}(?:©|[Cc]opyright|COPYRIGHT|[Rr]ights [Rr]eserved|無断|\([Cc]\)|（[Cc]）)[^\n]{0,100}$",
    re.M,
)


def _strip_marks(line: str) -> str:
    return line.strip(" \t\u3000・●■□◆◇▶►>＞≫»›|｜[]【】()（）「」")


def is_boilerplate_line(line: str) -> bool:
    """Whether a line is only a menu item, breadcrumb, pager, share button, meta line or footer.

    >>> is_boilerplate_line("次のページ")
    True
    >>> is_boilerplate_line("ホーム > 会社概要 > アクセス")
    True
    >>> is_boilerplate_line("Copyright © 2024 Example Inc. All Rights Reserved.")
    True
    >>> is_boilerplate_line("この記事をTwitterでシェアする")
    True
    >>> is_boilerplate_line("国内旅行（128）"), is_boilerplate_line("前へ 1 2 3 4 5 次へ")
    (True, True)
    >>> is_boilerplate_line("次のページをめくると、そこには見知らぬ町の地図が描かれていた。")
    False
    >>> is_boilerplate_line("第一条　この法律は、行政手続に関し、共通する事項を定める。")
    False
    """
    s = line.strip()
    if not s or len(s) > MAX_BOILERPLATE_CHARS:
        return False
    core = _strip_marks(s)
    if core in MENU_ITEMS or _COPYRIGHT.search(s):
        return True
    if "。" in s or "、" in s:  # a sentence: menus, pagers and breadcrumbs have no 。、
        return False
    if _SHARE.search(core) or _META.search(core) or _PAGER.search(core) or _COUNTED_ITEM.match(s):
        return True
    if not _SEPARATOR.search(s):
        return False
    if _BREADCRUMB.match(s):
        parts = [p.strip() for p in re.split(r"[>＞»›|｜/／]", s)]
        return any(_strip_marks(p) in MENU_ITEMS for p in parts)
    tokens = re.split(r"[\s|｜/／・]+", core)
    return len(tokens) >= 2 and all(_strip_marks(t) in MENU_ITEMS for t in tokens if t)


def remove_boilerplate(text: str) -> tuple[str, int]:
    """``text`` without its boilerplate lines, and how many lines were removed.

    >>> remove_boilerplate("ホーム\\n吾輩は猫である。名前はまだ無い。\\nページトップへ")
    ('吾輩は猫である。名前はまだ無い。', 2)
    """
    spans = [
        (m.start(), m.end()) for m in _CANDIDATE.finditer(text) if is_boilerplate_line(m.group())
    ]
    if not spans:
        return text, 0
    parts, pos = [], 0
    for start, end in spans:
        parts.append(text[pos:start])
        pos = end + 1  # the line and its newline
    parts.append(text[pos:])
    return "".join(parts).rstrip("\n"), len(spans)
