"""What the phone line says to the caller (Amazon Connect plays these prompts), in both languages."""

from __future__ import annotations

from typing import Any

PROMPTS: dict[str, dict[str, str]] = {
    "TRANSFER": {
        "zh-CN": "您的案件编号是{case}。正在为您转接{team},请稍候。",
        "en": "Your case number is {case}. Connecting you to our {team} now, please hold.",
    },
    "PLAY_MESSAGE": {
        "zh-CN": "您的案件编号是{case}。我们会通过短信把处理结果发送给您。",
        "en": "Your case number is {case}. We will send you the answer by text message.",
    },
    "COLLECT_CODE": {  # the same words whether or not the number is on file: the prompt reveals nothing
        "zh-CN": "您的案件编号是{case}。为了您的账户安全,如您的号码已在我们这里登记,我们会向登记的手机发送六位验证码,请收到后输入;否则请稍候,我们为您转接人工客服。",
        "en": "Your case number is {case}. For your security, if this number is registered with us we are texting a six-digit code to the phone on file: please enter it. Otherwise, please hold for an agent.",
    },
    "CODE_ACCEPTED": {
        "zh-CN": "验证成功,我们正在处理您的请求。",
        "en": "Thank you, you are verified. We are handling your request now.",
    },
    "CODE_REJECTED": {"zh-CN": "验证码不正确,请重新输入。", "en": "That code is not correct. Please try again."},
    "NO_CASE": {"zh-CN": "正在为您转接{team},请稍候。", "en": "Connecting you to our {team}, please hold."},
    "CHOOSE_NEED": {  # the model was unsure of the caller's words: the likely needs as menu digits
        "zh-CN": "请问您要办理哪一项?{options}其他问题请按{agent}转人工客服。",
        "en": "Which do you need? {options} For anything else, press {agent} for an agent.",
    },
    "CODE_FAILED": {
        "zh-CN": "验证未通过,正在为您转接人工客服。",
        "en": "We could not verify you. Connecting you to an agent.",
    },
}


def prompt_text(key: str, language: str, **fields: Any) -> str:
    return PROMPTS[key]["zh-CN" if language == "zh-CN" else "en"].format(**fields)


def choose_need_prompt(offered: dict[str, str], language: str, agent_digit: str) -> str:
    """CHOOSE_NEED with its options: {menu digit: intent}, in the order offered."""
    from .templates import need_name

    if language == "zh-CN":
        options = "".join(f"{need_name(intent, language)}请按{digit};" for digit, intent in offered.items())
    else:
        options = " ".join(f"For {need_name(intent, language)}, press {digit}." for digit, intent in offered.items())
    return prompt_text("CHOOSE_NEED", language, options=options, agent=agent_digit)
