import pytest


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.django_db
def test_sign_in_page_renders_and_signs_in(client, owner):
    assert "Sign in" in client.get("/accounts/login/").content.decode()
    response = client.post(
        "/accounts/login/", {"username": owner.username, "password": "convivio-demo"}
    )
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post("/accounts/login/", {"username": owner.username, "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_sign_out_is_a_post_and_ends_the_session(owner_client):
    assert owner_client.post("/accounts/logout/").status_code == 302
    assert owner_client.get("/").status_code == 302
