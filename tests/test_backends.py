"""careguide.backends.ModelBackend reads permissions in one query and answers as Django's does."""

import pytest
from django.contrib.auth import backends as django_backends
from django.contrib.auth.models import AnonymousUser, Group, Permission, User

from careguide.backends import ModelBackend

REVIEW = "assessments.review_screen"
EXPORT = "assessments.export_contact"


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # permissions are cached on the object


def both(user) -> tuple[set, set]:
    return (
        ModelBackend().get_all_permissions(fresh(user)),
        django_backends.ModelBackend().get_all_permissions(fresh(user)),
    )


@pytest.fixture
def someone(db):
    return User.objects.create_user("someone", password="a-long-test-password-2026")


def test_a_group_member_has_the_groups_permissions(someone):
    someone.groups.add(Group.objects.get(name="Coordinators"))
    ours, djangos = both(someone)
    assert REVIEW in ours
    assert EXPORT not in ours
    assert ours == djangos


def test_a_users_own_permission_counts_beside_the_groups(someone):
    someone.groups.add(Group.objects.get(name="Coordinators"))
    someone.user_permissions.add(Permission.objects.get(codename="export_contact"))
    ours, djangos = both(someone)
    assert {REVIEW, EXPORT} <= ours
    assert ours == djangos


def test_a_permission_in_two_groups_and_given_directly_is_one_entry(someone):
    review = Permission.objects.get(codename="review_screen")
    other = Group.objects.create(name="Other")
    other.permissions.add(review)
    someone.groups.add(Group.objects.get(name="Coordinators"), other)
    someone.user_permissions.add(review)
    ours, djangos = both(someone)
    assert ours == djangos
    assert fresh(someone).has_perm(REVIEW)


def test_nobody_without_a_group_or_permission_has_any(someone):
    assert both(someone) == (set(), set())
    assert not fresh(someone).has_perm(REVIEW)


def test_another_users_permissions_do_not_leak(someone):
    other = User.objects.create_user("other", password="a-long-test-password-2026")
    other.groups.add(Group.objects.get(name="Coordinators"))
    other.user_permissions.add(Permission.objects.get(codename="export_contact"))
    assert both(someone) == (set(), set())


def test_an_inactive_member_has_none(someone):
    someone.groups.add(Group.objects.get(name="Coordinators"))
    someone.is_active = False
    someone.save()
    assert both(someone) == (set(), set())
    assert not fresh(someone).has_perm(REVIEW)


def test_a_superuser_has_every_permission(someone):
    someone.is_superuser = True
    someone.save()
    ours, djangos = both(someone)
    assert ours == djangos
    assert {REVIEW, EXPORT} <= ours


def test_anonymous_has_none():
    assert ModelBackend().get_all_permissions(AnonymousUser()) == set()


def test_one_query_then_none(someone, django_assert_num_queries):
    someone.groups.add(Group.objects.get(name="Coordinators"))
    user = fresh(someone)
    with django_assert_num_queries(1):
        assert user.has_perm(REVIEW)
        assert not user.has_perm(EXPORT)


def test_a_check_on_an_object_is_djangos_none(someone):
    someone.groups.add(Group.objects.get(name="Coordinators"))
    user = fresh(someone)
    for obj in (0, "", object()):
        assert ModelBackend().get_all_permissions(user, obj) == set()
