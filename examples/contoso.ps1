# Dial plans and dial plan assignments of tenant Contoso,
# written by `dialplan export --format powershell`. Safe to run twice: a plan
# that exists is updated with Set-CsTenantDialPlan, one that does not is created
# with New-CsTenantDialPlan. Run it after Connect-MicrosoftTeams, and after
# Connect-MgGraph -Scopes User.ReadWrite.All (usage locations are user properties).

# Dial plan FR-Paris-Issy-39qdPR
$NR = @()
$NR += New-CsVoiceNormalizationRule -Parent 'FR-Paris-Issy-39qdPR' -Name 'FR-39qdPR-Internal' -Description 'Internal number (x7000 – x7999) for 39 quai du Président Roosevelt office, Issy-les-Moulineaux, France' -Pattern '^(7\d{3})$' -Translation '+3319999$1' -IsInternalExtension $true -InMemory
$NR += New-CsVoiceNormalizationRule -Parent 'FR-Paris-Issy-39qdPR' -Name 'FR-TollFree' -Description 'Toll Free number normalization for France' -Pattern '^0?(80\d{7})\d*$' -Translation '+33$1' -InMemory
$NR += New-CsVoiceNormalizationRule -Parent 'FR-Paris-Issy-39qdPR' -Name 'FR-Service' -Description 'Service number normalization for France' -Pattern '^(1\d{1,2}|11[68]\d{3}|10\d{2}|3\d{3})$' -Translation '$1' -InMemory
if (Get-CsTenantDialPlan -Identity 'FR-Paris-Issy-39qdPR' -ErrorAction SilentlyContinue) {
    Set-CsTenantDialPlan -Identity 'FR-Paris-Issy-39qdPR' -Description '39 quai du Président Roosevelt Issy-les-Moulineaux, France Dial Plan' -NormalizationRules $NR
} else {
    New-CsTenantDialPlan -Identity 'FR-Paris-Issy-39qdPR' -Description '39 quai du Président Roosevelt Issy-les-Moulineaux, France Dial Plan' -NormalizationRules $NR
}

# Users: usage location, then tenant dial plan ($null: the Global plan applies)
Update-MgUser -UserId 'emily.braun@contoso.com' -UsageLocation 'GB'
Grant-CsTenantDialPlan -Identity 'emily.braun@contoso.com' -PolicyName $null
Set-CsPhoneNumberAssignment -Identity 'emily.braun@contoso.com' -PhoneNumber '+442079460034' -PhoneNumberType CallingPlan
Update-MgUser -UserId 'lidia.holloway@contoso.com' -UsageLocation 'GB'
Grant-CsTenantDialPlan -Identity 'lidia.holloway@contoso.com' -PolicyName $null
Set-CsPhoneNumberAssignment -Identity 'lidia.holloway@contoso.com' -PhoneNumber '+442079460065' -PhoneNumberType CallingPlan
Update-MgUser -UserId 'pradeep.gupta@contoso.com' -UsageLocation 'GB'
Grant-CsTenantDialPlan -Identity 'pradeep.gupta@contoso.com' -PolicyName $null
Set-CsPhoneNumberAssignment -Identity 'pradeep.gupta@contoso.com' -PhoneNumber '+442079460023' -PhoneNumberType CallingPlan
Update-MgUser -UserId 'marcel.beauchamp@contoso.com' -UsageLocation 'FR'
Grant-CsTenantDialPlan -Identity 'marcel.beauchamp@contoso.com' -PolicyName 'FR-Paris-Issy-39qdPR'
Update-MgUser -UserId 'rachelle.cormier@contoso.com' -UsageLocation 'FR'
Grant-CsTenantDialPlan -Identity 'rachelle.cormier@contoso.com' -PolicyName 'FR-Paris-Issy-39qdPR'
Update-MgUser -UserId 'isabell.potvin@contoso.com' -UsageLocation 'FR'
Grant-CsTenantDialPlan -Identity 'isabell.potvin@contoso.com' -PolicyName 'FR-Paris-Issy-39qdPR'

# Calling Plan licences and Communications Credits (assign in the Microsoft 365 admin center):
#   emily.braun@contoso.com: international, Communications Credits on
#   lidia.holloway@contoso.com: domestic-1200, Communications Credits off
#   pradeep.gupta@contoso.com: domestic-1200, Communications Credits on
#   marcel.beauchamp@contoso.com: domestic-1200, Communications Credits off
#   rachelle.cormier@contoso.com: international, Communications Credits on
#   isabell.potvin@contoso.com: domestic-1200, Communications Credits off
#   Communications Credits: balance 1000 USD, recharge below 400
