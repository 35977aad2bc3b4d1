"""Deciding from Slack what AWS waits on people for (issue 19): CodePipeline manual
approvals and model packages pending manual approval. One concept per module:

ids       an approval's id, the same whichever way its event came
who       who may decide (config `permissions.approvers`, user groups expanded)
lookups   what the asking event lacks, from AWS: the token, the execution, the account
metrics   a model package's key metrics beside its group's approved version's
asking    the intake step: complete an asking event and register its approval
calls     the one decision call: PutApprovalResult or UpdateModelPackage
outcome   the event that tells a decision (or an expiry) in the resource's thread
service   gate a click, claim the decision once, call AWS, settle or release
"""
