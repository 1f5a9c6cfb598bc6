package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-gw/switchboard/internal/pagetoken"
	"github.com/switchboard-gw/switchboard/llm"
)

// CreateKeyParams describes a new virtual key.
type CreateKeyParams struct {
	Name          string
	AllowedModels []string  // empty: every alias
	ExpiresAt     time.Time // zero: never
	// TeamID owns the key. Empty: the user's team when UserID is set,
	// DefaultTeamID otherwise.
	TeamID string
	// UserID is the member of the team the key is for, if any.
	UserID string
	Tags   []string
	Limits Limits
}

// UpdateKeyParams changes a virtual key; nil fields are left as they are.
type UpdateKeyParams struct {
	ID            string
	Name          *string
	AllowedModels *[]string
	Tags          *[]string
	ExpiresAt     *time.Time // pointing at the zero time: never expires
	Limits        *Limits
}

// ListKeysParams pages through virtual keys.
type ListKeysParams struct {
	PageSize       int // 0: DefaultPageSize; above MaxPageSize: MaxPageSize
	PageToken      string
	IncludeRevoked bool
	// TeamID, UserID and Tag, when set, keep only the keys of that team, of
	// that user and with that tag.
	TeamID, UserID, Tag string
}

// Create issues a virtual key and returns its record and its secret (shown
// once).
func (k *Keys) Create(ctx context.Context, p CreateKeyParams) (Key, string, error) {
	name, err := validateName("name", "key", p.Name)
	if err != nil {
		return Key{}, "", err
	}
	models, err := validateModels(p.AllowedModels)
	if err != nil {
		return Key{}, "", err
	}
	tags, err := validateTags(p.Tags)
	if err != nil {
		return Key{}, "", err
	}
	if err := validateLimits(p.Limits); err != nil {
		return Key{}, "", err
	}
	teamID, userID, err := k.owners(ctx, p.TeamID, p.UserID)
	if err != nil {
		return Key{}, "", err
	}
	now := k.timestamp()
	expires, err := futureExpiry(p.ExpiresAt, now)
	if err != nil {
		return Key{}, "", err
	}
	return k.insert(ctx, KeyRecord{
		Name:          name,
		TeamID:        teamID,
		UserID:        userID,
		AllowedModels: models,
		Tags:          tags,
		Limits:        p.Limits,
		CreatedAt:     now,
		UpdatedAt:     now,
		ExpiresAt:     expires,
	}, GenerateSecret)
}

// owners checks the shape of the owning team and user and fills in the
// team: the user's when only a user is named (when the store can look users
// up), DefaultTeamID when neither is.
func (k *Keys) owners(ctx context.Context, teamID, userID string) (string, string, *llm.Error) {
	if teamID != "" && !looksLikeTeamID(teamID) {
		return "", "", invalidParam("team_id", `team_id must look like "team_" followed by letters and digits`)
	}
	if userID != "" && !looksLikeUserID(userID) {
		return "", "", invalidParam("user_id", `user_id must look like "user_" followed by 16 letters and digits`)
	}
	if teamID == "" && userID != "" {
		if users, ok := k.store.(UserStore); ok {
			u, err := users.UserByID(ctx, userID)
			switch {
			case errors.Is(err, ErrNotFound):
				return "", "", invalidParam("user_id", fmt.Sprintf("user %q not found", userID))
			case err != nil:
				return "", "", storeError(err)
			}
			teamID = u.TeamID
		}
	}
	if teamID == "" {
		teamID = DefaultTeamID
	}
	return teamID, userID, nil
}

func futureExpiry(t, now time.Time) (time.Time, *llm.Error) {
	expires := storedTime(t)
	if !expires.IsZero() && !expires.After(now) {
		return time.Time{}, invalidParam("expire_time", "expire_time must be in the future")
	}
	return expires, nil
}

// insert stores rec under a fresh id and secret, retrying on the
// (theoretical) collision of either.
func (k *Keys) insert(ctx context.Context, rec KeyRecord, generate func() string) (Key, string, error) {
	for range createAttempts {
		secret := generate()
		hash := k.hashSecret(secret)
		rec.ID = NewKeyID()
		rec.Hash = hash[:]
		rec.SecretPrefix = displayPrefix(secret)
		err := k.store.InsertKey(ctx, rec)
		if errors.Is(err, ErrAlreadyExists) {
			continue
		}
		if err != nil {
			return Key{}, "", ownerError(err, rec.TeamID, rec.UserID)
		}
		return keyFromRecord(rec), secret, nil
	}
	return Key{}, "", &llm.Error{Kind: llm.KindInternal, Message: "could not allocate a unique key id; try again"}
}

// ownerError explains a store refusing the team or user of a key.
func ownerError(err error, teamID, userID string) *llm.Error {
	switch {
	case errors.Is(err, ErrTeamNotFound):
		return &llm.Error{Kind: llm.KindInvalidRequest, Param: "team_id", Err: err, Message: fmt.Sprintf("team %q not found", teamID)}
	case errors.Is(err, ErrUserNotFound):
		return &llm.Error{Kind: llm.KindInvalidRequest, Param: "user_id", Err: err, Message: fmt.Sprintf("user %q not found", userID)}
	case errors.Is(err, ErrUserNotInTeam):
		return &llm.Error{Kind: llm.KindInvalidRequest, Param: "user_id", Err: err, Message: fmt.Sprintf("user %q is not a member of team %q", userID, teamID)}
	}
	return storeError(err)
}

// Get returns a virtual key by id.
func (k *Keys) Get(ctx context.Context, id string) (Key, error) {
	rec, err := k.read(ctx, id, false)
	if err != nil {
		return Key{}, err
	}
	return keyFromRecord(rec), nil
}

// read returns the key with this id when it is of the wanted kind (a
// virtual key or an admin credential); the other kind is not found.
func (k *Keys) read(ctx context.Context, id string, admin bool) (KeyRecord, *llm.Error) {
	if err := checkKeyID(id); err != nil {
		return KeyRecord{}, err
	}
	rec, err := k.store.KeyByID(ctx, id)
	if err == nil && (rec.Role != "") != admin {
		err = ErrNotFound
	}
	if err != nil {
		return KeyRecord{}, lookupError(err, id, admin)
	}
	return rec, nil
}

// Update changes a virtual key. Revoked keys cannot be changed. The change
// applies to this instance's next request at once and reaches other
// instances as a revocation does.
func (k *Keys) Update(ctx context.Context, p UpdateKeyParams) (Key, error) {
	u := KeyUpdate{ID: p.ID}
	if p.Name != nil {
		name, err := validateName("name", "key", *p.Name)
		if err != nil {
			return Key{}, err
		}
		u.Name = &name
	}
	if p.AllowedModels != nil {
		models, err := validateModels(*p.AllowedModels)
		if err != nil {
			return Key{}, err
		}
		u.AllowedModels = &models
	}
	if p.Tags != nil {
		tags, err := validateTags(*p.Tags)
		if err != nil {
			return Key{}, err
		}
		u.Tags = &tags
	}
	if p.Limits != nil {
		if err := validateLimits(*p.Limits); err != nil {
			return Key{}, err
		}
		limits := *p.Limits
		u.Limits = &limits
	}
	u.UpdatedAt = k.timestamp()
	if p.ExpiresAt != nil {
		expires, err := futureExpiry(*p.ExpiresAt, u.UpdatedAt)
		if err != nil {
			return Key{}, err
		}
		u.ExpiresAt = &expires
	}
	if _, err := k.read(ctx, p.ID, false); err != nil {
		return Key{}, err
	}
	rec, err := k.store.UpdateKey(ctx, u)
	k.cache.invalidateKey(p.ID) // whether or not it committed
	if err != nil {
		return Key{}, changeError(err, p.ID, "changed")
	}
	return keyFromRecord(rec), nil
}

// Revoke revokes a virtual key; revoking a revoked key changes nothing and
// succeeds. The key is refused from the next Verify through this Keys on.
func (k *Keys) Revoke(ctx context.Context, id string) (Key, error) {
	rec, err := k.revoke(ctx, id, false)
	if err != nil {
		return Key{}, err
	}
	return keyFromRecord(rec), nil
}

func (k *Keys) revoke(ctx context.Context, id string, admin bool) (KeyRecord, error) {
	if _, err := k.read(ctx, id, admin); err != nil {
		return KeyRecord{}, err
	}
	rec, err := k.store.RevokeKey(ctx, id, k.timestamp())
	if err != nil {
		// The revocation may have committed before the failure was
		// reported: forget what is cached for the key, so it is checked
		// against the store (and refused while that is unreachable).
		k.cache.invalidateKey(id)
		return KeyRecord{}, lookupError(err, id, admin)
	}
	k.cache.markRevoked(id)
	return rec, nil
}

// ForgetDeleted makes this instance refuse deleted keys (see Teams.Delete
// and Users.Delete) from the next request on, whatever it has cached.
// Other instances sharing a store with change announcements learn of the
// deletion from it; otherwise within the cache TTL.
func (k *Keys) ForgetDeleted(ids ...string) {
	for _, id := range ids {
		k.cache.markRevoked(id)
	}
}

// Rotate gives a virtual key a new secret, returned once. The old secret
// keeps working for grace (0: not at all), so clients can move over
// without an outage; a second rotation within the grace period leaves the
// first old secret valid until its own grace ends.
func (k *Keys) Rotate(ctx context.Context, id string, grace time.Duration) (Key, string, error) {
	return k.rotate(ctx, id, grace, false, GenerateSecret)
}

func (k *Keys) rotate(ctx context.Context, id string, grace time.Duration, admin bool, generate func() string) (Key, string, error) {
	switch {
	case grace < 0:
		return Key{}, "", invalidParam("grace_period", "grace_period must not be negative")
	case grace > MaxRotationGrace:
		return Key{}, "", invalidParam("grace_period", fmt.Sprintf("grace_period must be at most %s", MaxRotationGrace))
	}
	if _, err := k.read(ctx, id, admin); err != nil {
		return Key{}, "", err
	}
	for range createAttempts {
		secret := generate()
		hash := k.hashSecret(secret)
		now := k.timestamp()
		rec, err := k.store.RotateKey(ctx, KeyRotation{
			ID:           id,
			NewHash:      hash[:],
			SecretPrefix: displayPrefix(secret),
			At:           now,
			RetireUntil:  storedTime(now.Add(grace)),
		})
		k.cache.invalidateKey(id)
		if errors.Is(err, ErrAlreadyExists) {
			continue
		}
		if err != nil {
			return Key{}, "", changeError(err, id, "rotated")
		}
		return keyFromRecord(rec), secret, nil
	}
	return Key{}, "", &llm.Error{Kind: llm.KindInternal, Message: "could not allocate a unique secret; try again"}
}

// List returns a page of virtual keys, newest first, and the token of the
// next page ("" on the last page).
func (k *Keys) List(ctx context.Context, p ListKeysParams) ([]Key, string, error) {
	if p.TeamID != "" && !looksLikeTeamID(p.TeamID) {
		return nil, "", invalidParam("team_id", `team_id must look like "team_" followed by letters and digits`)
	}
	if p.UserID != "" && !looksLikeUserID(p.UserID) {
		return nil, "", invalidParam("user_id", `user_id must look like "user_" followed by 16 letters and digits`)
	}
	filter := fmt.Sprintf("%t|%s|%s|%s", p.IncludeRevoked, p.TeamID, p.UserID, p.Tag)
	return k.list(ctx, p.PageSize, p.PageToken, listingKeys, filter, ListKeysQuery{
		IncludeRevoked: p.IncludeRevoked, TeamID: p.TeamID, UserID: p.UserID, Tag: p.Tag,
	})
}

func (k *Keys) list(ctx context.Context, requestedSize int, token, listing, filter string, q ListKeysQuery) ([]Key, string, error) {
	size, err := pageSize(requestedSize)
	if err != nil {
		return nil, "", err
	}
	after, err := decodePageToken(token, listing, filter, looksLikeKeyID)
	if err != nil {
		return nil, "", err
	}
	q.Limit, q.After = size+1, after
	recs, serr := k.store.ListKeys(ctx, q)
	if serr != nil {
		return nil, "", storeError(serr)
	}
	recs, next := pagetoken.Next(pageTokens, recs, size, listing, filter, func(r KeyRecord) pagetoken.Position { return pagetoken.Position{Time: r.CreatedAt, ID: r.ID} })
	keys := make([]Key, len(recs))
	for i, r := range recs {
		keys[i] = keyFromRecord(r)
	}
	return keys, next, nil
}

// checkKeyID refuses ids that cannot exist before the store is asked. It
// does not echo them: callers sometimes paste a secret where an id belongs.
func checkKeyID(id string) *llm.Error {
	switch {
	case id == "":
		return invalidParam("id", "id is required")
	case !looksLikeKeyID(id):
		return &llm.Error{Kind: llm.KindNotFound, Err: ErrNotFound,
			Message: `API key not found: ids look like "key_" followed by 16 letters and digits`}
	}
	return nil
}

func lookupError(err error, id string, admin bool) *llm.Error {
	if errors.Is(err, ErrNotFound) {
		what := "API key"
		if admin {
			what = "admin key"
		}
		// id has the shape of a key id (checkKeyID), so it is safe to show.
		return &llm.Error{Kind: llm.KindNotFound, Err: err, Message: fmt.Sprintf("%s %q not found", what, id)}
	}
	return storeError(err)
}

// changeError explains a store refusing to change a key.
func changeError(err error, id, verb string) *llm.Error {
	if errors.Is(err, ErrRevoked) {
		return &llm.Error{Kind: llm.KindInvalidRequest, Code: "key_revoked", Param: "id", Err: err,
			Message: fmt.Sprintf("key %q is revoked; a revoked key cannot be %s", id, verb)}
	}
	return lookupError(err, id, false)
}
