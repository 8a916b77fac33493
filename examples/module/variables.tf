variable "group_id" {
  description = "Object id (a GUID) of the Microsoft 365 group that holds the conversation."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", var.group_id))
    error_message = "group_id must be the group's object id, a GUID such as 00000000-0000-0000-0000-000000000000."
  }
}

variable "topic" {
  description = "Subject of the kickoff conversation, and so of its announcements thread."
  type        = string

  validation {
    condition     = length(trimspace(var.topic)) > 0 && length(var.topic) <= 200
    error_message = "topic must not be blank and must be at most 200 characters."
  }
}

variable "kickoff_message" {
  description = "HTML body of the kickoff post."
  type        = string
}

variable "announcement" {
  description = "Plain-text first post of the announcements thread."
  type        = string
  default     = "Announcements only: this thread takes no replies."
}

variable "lock_announcements" {
  description = "Whether the announcements thread is locked (takes no new posts). Changing it updates the thread in place."
  type        = bool
  default     = true
}

variable "participants" {
  description = "People added to the kickoff conversation and addressed by the announcements, besides the group's members."
  type = list(object({
    address = string
    name    = optional(string)
  }))
  default = null
}
