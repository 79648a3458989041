"""Drives the self-screen through the test client, a step at a time, as a browser would."""

from assessments.forms import NONE_OF_THESE, STEPS

NO_CONTACT = {"contact_requested": False}
CONTACT = {
    "contact_requested": True,
    "first_name": "Robin",
    "phone": "555 123 4567",
    "email": "",
    "preferred_contact": "text",
    "best_time": "After 5pm",
    "message_ok": True,
    "consent_to_contact": True,
}


def form_data(values: dict) -> dict:
    """Answers as a browser posts them: yes/no radios, a ticked box is "on"."""
    data = {}
    for name, value in values.items():
        if name == "consent_to_contact":
            if value:
                data[name] = "on"
        elif isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif isinstance(value, int):
            data[name] = str(value)
        elif value == []:
            data[name] = [NONE_OF_THESE]  # "No, neither of these"
        else:
            data[name] = value
    return data


def step_data(step, answers: dict) -> dict:
    return form_data(
        {name: answers[name] for name in step.form_class.base_fields if name in answers}
    )


def step_url(step) -> str:
    return f"/screen/{step.slug}/"


def answer_all_steps(client, answers: dict, contact: dict = NO_CONTACT):
    """Posts every step; returns the last response (a redirect to Check your answers)."""
    values = {**answers, **contact}
    client.get("/screen/")
    for step in STEPS:
        response = client.post(step_url(step), step_data(step, values))
        assert response.status_code == 302, (step.slug, response.content[:2000])
    return response


def submit(client, answers: dict, contact: dict = NO_CONTACT):
    """Answers every step and sends the screen; returns the redirect to the result."""
    answer_all_steps(client, answers, contact)
    return client.post("/screen/check/")
