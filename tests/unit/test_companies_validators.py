import pytest
from django.core.exceptions import ValidationError

from pipit.companies.models import inn_validator, kpp_validator


@pytest.mark.parametrize("value", ["7701234567", "770123456789"])
def test_inn_of_10_or_12_digits_is_accepted(value):
    inn_validator(value)


@pytest.mark.parametrize("value", ["", "770123456", "77012345678", "7701234567890", "77012x4567"])
def test_other_inn_is_refused_with_an_explanation(value):
    with pytest.raises(ValidationError, match="10 digits"):
        inn_validator(value)


def test_kpp_of_9_digits_is_accepted():
    kpp_validator("770101001")


@pytest.mark.parametrize("value", ["77010100", "7701010011", "77010100a"])
def test_other_kpp_is_refused(value):
    with pytest.raises(ValidationError, match="9 digits"):
        kpp_validator(value)
