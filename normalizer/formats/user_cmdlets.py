"""The user cmdlets of a dial plan script: usage location and phone number.

`Set-MsolUser`, `Update-MgUser`, `Set-AzureADUser` with `-UsageLocation` set a
user's usage location; `Set-CsPhoneNumberAssignment -Identity U -PhoneNumber N`
the user's own number (learn.microsoft.com powershell/module/microsoftteams/
set-csphonenumberassignment), in the forms that page gives: `+12065551234`,
`12065551234` (read as `+12065551234`, with a note) and Direct Routing
numbers with an extension, `+1206555000;ext=1234`, kept whole. A number
another user holds is the error Teams reports. Calling Plan licences are
assigned in the Microsoft 365 admin center: no cmdlet here carries them.
"""

from __future__ import annotations

from dataclasses import dataclass

from normalizer.formats.interpreter import Interpreter
from normalizer.formats.script import Command, Position
from normalizer.formats.values import TEXT, Spec, Value
from normalizer.validation import read_phone_number

_NUMBER_SPEC = Spec(
    {"Identity": TEXT, "PhoneNumber": TEXT, "PhoneNumberType": TEXT, "LocationId": TEXT},
    positional=("Identity",),
    open=True,
)

def _user_spec(identity: str) -> Spec:
    return Spec({identity: TEXT, "UsageLocation": TEXT}, positional=(identity,), open=True)


@dataclass(slots=True)
class UserState:
    """What a script set for one user."""

    upn: str
    position: Position
    usage_location: str | None = None
    dial_plan: str | None = None
    phone_number: str | None = None


class UserCmdlets(Interpreter):
    """The user cmdlets, on the interpreter that runs a script."""

    users: dict[str, UserState]

    def set_location(self, command: Command, *identities: str) -> Value:
        spec = _user_spec(identities[0])
        for other in identities[1:]:
            spec.parameters[other] = TEXT
        bound = self.bind(command, spec)
        if self.is_what_if(bound):
            return None
        location = self.text_of(bound, "UsageLocation")
        if location is None:
            self.ignore(command, "sets no usage location")
            return None
        identity = next((self.text_of(bound, name) for name in identities if bound.has(name)), None)
        if not identity:
            self.fail(f"{command.name} needs -{identities[0]}", command.position)
        self.user(identity, command.position).usage_location = location.strip().upper()
        return None

    def assign_number(self, command: Command) -> Value:
        bound = self.bind(command, _NUMBER_SPEC)
        if self.is_what_if(bound):
            return None
        number = self.text_of(bound, "PhoneNumber")
        if number is None:
            self.ignore(command, "assigns no phone number")
            return None
        identity = self.required_text(bound, "Identity")
        written = number.strip().removeprefix("tel:")
        if not written:
            self.ignore(command, "assigns no phone number")
            return None
        try:
            phone_number, added = read_phone_number(written)
        except ValueError as exc:
            self.fail(f"-PhoneNumber {exc}", bound.position("PhoneNumber"))
        holder = next(
            (
                other
                for other in self.users.values()
                if other.phone_number == phone_number and other.upn.lower() != identity.lower()
            ),
            None,
        )
        if holder is not None:
            self.refuse(
                bound,
                f"phone number {phone_number!r} has already been assigned to another user, "
                f"{holder.upn!r}; a Direct Routing number's users keep apart by extension (';ext=')",
            )
            return None
        if added:
            self.note(command, f"-PhoneNumber {written!r} read as {phone_number!r} (the non-E.164 form Teams takes)")
        self.user(identity, command.position).phone_number = phone_number
        return None

    def user(self, upn: str, position: Position) -> UserState:
        key = upn.lower()
        if key not in self.users:
            self.users[key] = UserState(upn, position)
        return self.users[key]
