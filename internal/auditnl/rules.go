package auditnl

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// AddRule loads r at the end of its filter list (AUDIT_ADD_RULE). Adding a
// rule identical to a loaded one fails with ErrRuleExists. Rules take
// effect only while audit is enabled; loading them while it is disabled
// costs nothing on the syscall path.
func (c *Conn) AddRule(r Rule) error {
	return c.ruleChange(unix.AUDIT_ADD_RULE, r)
}

// DeleteRule removes the loaded rule equal to r (AUDIT_DEL_RULE); it fails
// with ErrNoSuchRule if there is none.
func (c *Conn) DeleteRule(r Rule) error {
	return c.ruleChange(unix.AUDIT_DEL_RULE, r)
}

func (c *Conn) ruleChange(typ uint16, r Rule) error {
	b, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	if _, err := c.request(typ, b, ackOnly); err != nil {
		return fmt.Errorf("%s key %q: %w", msgName(typ), r.KeyString(), err)
	}
	return nil
}

// ListRules returns every loaded rule of every filter list, in the kernel's
// order (AUDIT_LIST_RULES).
func (c *Conn) ListRules() ([]Rule, error) {
	replies, err := c.request(unix.AUDIT_LIST_RULES, nil, multi)
	if err != nil {
		return nil, err
	}
	rules := make([]Rule, 0, len(replies))
	for i, m := range replies {
		if m.Type != unix.AUDIT_LIST_RULES {
			return nil, errorf(ErrProtocol, "rule list entry %d has message type %d", i, m.Type)
		}
		var r Rule
		if err := r.UnmarshalBinary(m.Data); err != nil {
			return nil, fmt.Errorf("rule list entry %d: %w", i, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}
