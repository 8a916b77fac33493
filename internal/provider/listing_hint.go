package provider

import (
	"context"
	"encoding/json"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/seed40294029/terraform-provider-msgraph/internal/graph"
)

// privateListingHint is the private state key holding what the last run
// learnt about listing the conversation's group (graph.ListingHint): that
// the service refuses the filter a refresh's shared listing sends first,
// and what a first page in the service's order did. Each Terraform command
// starts a new provider process, so without it every refresh pays again
// for questions the previous one already asked: in a large mailbox listed
// oldest first, two requests more than the GETs they were meant to save.
const privateListingHint = "listing"

// listingHintRecord is how a hint is written in private state. Its fields
// are optional: an unknown or missing one reads as "not learnt".
type listingHintRecord struct {
	FilterRefusedAt time.Time `json:"filter_refused_at,omitzero"`
	// FirstPage is "served" or "served_none".
	FirstPage   string    `json:"first_page,omitempty"`
	FirstPageAt time.Time `json:"first_page_at,omitzero"`
}

var firstPageNames = map[graph.FirstPage]string{
	graph.FirstPageServed:     "served",
	graph.FirstPageServedNone: "served_none",
}

// listingHintOf reads the hint a previous run left; the zero hint when there
// is none (an import, a state written by an older version) or it cannot be
// read, which only costs the requests the hint would have saved.
func listingHintOf(ctx context.Context, private privateGetter) graph.ListingHint {
	raw, diags := private.GetKey(ctx, privateListingHint)
	if diags.HasError() || len(raw) == 0 {
		return graph.ListingHint{}
	}
	var record listingHintRecord
	if err := json.Unmarshal(raw, &record); err != nil {
		return graph.ListingHint{}
	}
	hint := graph.ListingHint{FilterRefusedAt: record.FilterRefusedAt}
	for page, name := range firstPageNames {
		if record.FirstPage == name {
			hint.FirstPage, hint.FirstPageAt = page, record.FirstPageAt
		}
	}
	return hint
}

// saveListingHint keeps the hint for the next run; a hint that knows
// nothing removes the key.
func saveListingHint(ctx context.Context, private privateSetter, hint graph.ListingHint) diag.Diagnostics {
	if hint.IsZero() {
		return private.SetKey(ctx, privateListingHint, nil)
	}
	record := listingHintRecord{FilterRefusedAt: hint.FilterRefusedAt.UTC()}
	if name, ok := firstPageNames[hint.FirstPage]; ok {
		record.FirstPage, record.FirstPageAt = name, hint.FirstPageAt.UTC()
	}
	raw, err := json.Marshal(record)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Save Group Conversation Listing Hint Failed",
			"The provider could not encode what it learnt about listing the group: "+err.Error()+
				". Please report this to the provider developers.")
		return diags
	}
	return private.SetKey(ctx, privateListingHint, raw)
}
