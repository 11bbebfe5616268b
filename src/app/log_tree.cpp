#include "app/log_tree.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>

#include "domain/event_view.h"
#include "ledger/money.h"
#include "store/log_reader.h"
#include "store/record.h"
#include "store/tree_leaf.h"

namespace ledger {

namespace merkle = util::merkle;

namespace {

constexpr std::string_view kDigestTag = "ledger-digest-v1";
constexpr std::string_view kProofTag = "ledger-proof-v1";

TreeHead head_of(uint64_t size, const merkle::Hash& root) {
  TreeHead head;
  head.size = size;
  std::copy(root.begin(), root.end(), head.root.begin());
  return head;
}

merkle::Hash hash_of(const TreeHead& head) {
  merkle::Hash h;
  std::copy(head.root.begin(), head.root.end(), h.begin());
  return h;
}

std::string hex_of(std::span<const unsigned char> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) fmt::format_to(std::back_inserter(out), "{:02x}", b);
  return out;
}

std::optional<std::vector<unsigned char>> bytes_of_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<unsigned char> out;
  out.reserve(hex.size() / 2);
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]);
    const int lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

void json_string(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// The event a leaf holds, as a proof shows it: every field of the payload, both times as
// nanoseconds since 1970 UTC (exact, and the same in every zone), and amounts with the
// `decimals` of the account's currency (which the opening, another leaf, says).
struct LeafEvent {
  std::string json;   // A JSON object; check-proof compares it byte for byte.
  std::string words;  // "seq 5: MoneyDeposited A 12.50 ...", for check-proof's report.
  std::string account;
};

Result<LeafEvent> leaf_event(std::span<const unsigned char> leaf, int decimals) {
  store::LeafFields f;
  if (!store::decode_leaf(leaf, f)) {
    return Status(ErrorCode::kInvalidArgument, "the leaf is shorter than a leaf's header");
  }
  domain::EventView v;
  if (Status s = domain::decode_event_view(f.type, f.version, f.payload, v); !s) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("the leaf's event: {}", s.message()));
  }
  const domain::Event event = domain::to_event(v);
  LeafEvent out;
  const std::string type = domain::event_type_name(event);
  const std::string account = std::string(
      v.type == domain::EventType::kMoneyTransferred ? v.from : v.account);
  out.account = account;
  std::string& j = out.json;
  j = fmt::format("{{\"seq\":{},\"recorded_ns\":{},\"effective_ns\":{},\"type\":", f.seq,
                  f.recorded_ns, f.effective_ns);
  json_string(j, type);
  j += ",\"account\":";
  json_string(j, account);
  out.words = fmt::format("event {}, {} {}", f.seq, type, account);
  if (v.type == domain::EventType::kMoneyTransferred) {
    j += ",\"to\":";
    json_string(j, v.to);
    out.words += fmt::format(" to {}", v.to);
  }
  if (v.type == domain::EventType::kAccountOpened) {
    j += ",\"owner\":";
    json_string(j, v.owner);
    j += ",\"currency\":";
    json_string(j, v.currency);
    auto currency = find_currency(v.currency);
    j += ",\"overdraft_limit\":";
    json_string(j, format_amount(v.overdraft_limit, currency ? currency->decimals : 2));
    out.words += fmt::format(" ({})", v.currency);
  }
  const bool moves_money = v.type == domain::EventType::kMoneyDeposited ||
                           v.type == domain::EventType::kMoneyWithdrawn ||
                           v.type == domain::EventType::kMoneyTransferred;
  if (moves_money) {
    const std::string amount = format_amount(v.amount, decimals);
    j += fmt::format(",\"decimals\":{},\"amount\":", decimals);
    json_string(j, amount);
    j += ",\"memo\":";
    json_string(j, v.memo);
    out.words += " " + amount;
  }
  j += ",\"ref\":";
  json_string(j, v.ref);
  j += '}';
  return out;
}

Status visit_or_keep(uint64_t index, std::span<const unsigned char> leaf,
                     std::optional<uint64_t> keep, std::vector<unsigned char>& kept) {
  if (keep && *keep == index) kept.assign(leaf.begin(), leaf.end());
  return Status::ok();
}

}  // namespace

std::string root_hex(const TreeHead& head) { return merkle::to_hex(hash_of(head)); }

std::string digest_text(const TreeHead& head) {
  return fmt::format("{}:{}:{}", kDigestTag, head.size, root_hex(head));
}

Result<TreeHead> parse_digest(std::string_view text) {
  auto refuse = [&] {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("\"{}\" is not a digest (expected {}:SIZE:ROOT, as `ledger digest` "
                              "prints it, ROOT being 64 hex digits)",
                              text.substr(0, 120), kDigestTag));
  };
  if (text.substr(0, kDigestTag.size()) != kDigestTag || text.size() <= kDigestTag.size() ||
      text[kDigestTag.size()] != ':') {
    return refuse();
  }
  const std::string_view rest = text.substr(kDigestTag.size() + 1);
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 19) return refuse();
  uint64_t size = 0;
  for (char c : rest.substr(0, colon)) {
    if (c < '0' || c > '9') return refuse();
    size = size * 10 + static_cast<uint64_t>(c - '0');
  }
  if (rest.substr(0, colon).size() > 1 && rest[0] == '0') return refuse();
  auto root = merkle::from_hex(rest.substr(colon + 1));
  if (!root) return refuse();
  return head_of(size, *root);
}

namespace app {

LeafFeed directory_leaves(const std::filesystem::path& dir) {
  return [dir](uint64_t limit, const LeafVisit& visit) -> Result<uint64_t> {
    auto reader = store::LogReader::open(dir);
    if (!reader) return reader.status();
    if (reader->first_seq() > 1) {
      return Status(ErrorCode::kRefused,
                    fmt::format("the log begins at event {}: the events before it were purged "
                                "(compact --purge), and the tree needs every leaf",
                                reader->first_seq()));
    }
    std::vector<unsigned char> leaf;
    uint64_t count = 0;
    while (count < limit) {
      auto frame = reader->next();
      if (!frame) return frame.status();
      if (*frame == nullptr) break;
      const store::FrameHeader& h = (*frame)->header;
      store::RecordIterator records((*frame)->bytes);
      store::Record record;
      for (uint64_t seq = h.seq_first; count < limit && records.next(record); ++seq) {
        store::encode_leaf(leaf, seq, h.recorded_ns, record.effective_ns, record.type,
                           record.version, record.payload);
        LEDGER_RETURN_IF_ERROR(visit(seq, leaf));
        ++count;
      }
    }
    return count;
  };
}

Result<TreePass> hash_tree(const LeafFeed& feed, uint64_t size,
                           std::span<const merkle::Range> ranges, std::optional<uint64_t> keep) {
  merkle::RangeHasher all;
  std::vector<merkle::RangeHasher> parts(ranges.size());
  TreePass pass;
  auto read = feed(size, [&](uint64_t seq, std::span<const unsigned char> leaf) -> Status {
    const uint64_t index = all.size();
    if (seq != index + 1) {
      return Status(ErrorCode::kCorruption,
                    fmt::format("event {} is where event {} should be", seq, index + 1));
    }
    const merkle::Hash h = merkle::leaf_hash(leaf);
    all.push(h);
    for (size_t i = 0; i < ranges.size(); ++i) {
      if (index >= ranges[i].begin && index < ranges[i].end) parts[i].push(h);
    }
    return visit_or_keep(index, leaf, keep, pass.kept_leaf);
  });
  if (!read) return read.status();
  pass.size = all.size();
  pass.root = all.root();
  for (const auto& part : parts) pass.range_hashes.push_back(part.root());
  return pass;
}

Result<TreeHead> tree_head_of(const LeafFeed& feed, std::optional<uint64_t> size) {
  auto pass = hash_tree(feed, size.value_or(UINT64_MAX), {});
  if (!pass) return pass.status();
  if (size && pass->size < *size) {
    return Status(ErrorCode::kRefused,
                  fmt::format("the log holds {} events, not {}", pass->size, *size));
  }
  return head_of(pass->size, pass->root);
}

Result<DigestCheck> check_digest_of(const LeafFeed& feed, const TreeHead& kept) {
  // The proof's subtrees depend on today's size, which one pass learns only at its end: a
  // first pass counts (a read; hashing is what costs), then the second hashes today's root,
  // the proof's subtrees and the root of the first kept.size events. The proof is checked
  // against the kept root; the recomputed one only shows, in a failure, what the log says now.
  auto counted = feed(UINT64_MAX, [](uint64_t, std::span<const unsigned char>) {
    return Status::ok();
  });
  if (!counted) return counted.status();
  DigestCheck check;
  check.kept = kept;
  const uint64_t size = *counted;
  if (size < kept.size) {
    auto now = tree_head_of(feed, std::nullopt);
    if (!now) return now.status();
    check.now = *now;
    check.problem = fmt::format(
        "the log holds {} events, fewer than the {} the digest covers: events after {} were "
        "removed",
        size, kept.size, size);
    return check;
  }
  std::vector<merkle::Range> proof_ranges = merkle::consistency_ranges(kept.size, size);
  proof_ranges.push_back({0, kept.size});
  auto pass = hash_tree(feed, size, proof_ranges);
  if (!pass) return pass.status();
  check.now = head_of(pass->size, pass->root);
  const merkle::Hash then = pass->range_hashes.back();
  pass->range_hashes.pop_back();
  check.proof_hashes = pass->range_hashes.size();
  check.extends = merkle::verify_consistency(kept.size, size, hash_of(kept), pass->root,
                                             pass->range_hashes);
  if (!check.extends) {
    check.problem = fmt::format(
        "the first {} events hash to {}, not to the digest's {}: history up to event {} was "
        "rewritten",
        kept.size, merkle::to_hex(then), root_hex(kept), kept.size);
  }
  return check;
}

Result<std::string> prove_of(const LeafFeed& feed, uint64_t seq, const TreeHead& at,
                             const std::function<Result<int>(const std::string& account)>& decimals) {
  if (seq == 0 || seq > at.size) {
    return Status(ErrorCode::kRefused,
                  fmt::format("event {} is not in the tree of the digest, which covers events 1 "
                              "to {}",
                              seq, at.size));
  }
  const std::vector<merkle::Range> ranges = merkle::inclusion_ranges(seq - 1, at.size);
  auto pass = hash_tree(feed, at.size, ranges, seq - 1);
  if (!pass) return pass.status();
  if (pass->size < at.size) {
    return Status(ErrorCode::kRefused, fmt::format("the log holds {} events, fewer than the {} "
                                                   "the digest covers",
                                                   pass->size, at.size));
  }
  if (pass->root != hash_of(at)) {
    return Status(ErrorCode::kRefused,
                  fmt::format("the first {} events hash to {}, not to the digest's {}: the log "
                              "does not extend the digest, and no proof against it can check",
                              at.size, merkle::to_hex(pass->root), root_hex(at)));
  }
  auto plain = leaf_event(pass->kept_leaf, 2);
  if (!plain) return Status(ErrorCode::kCorruption, plain.status().message());
  auto places = decimals(plain->account);
  if (!places) return places.status();
  auto event = leaf_event(pass->kept_leaf, *places);
  if (!event) return Status(ErrorCode::kCorruption, event.status().message());
  std::string out = "{\"format\":";
  json_string(out, kProofTag);
  out += ",\"digest\":";
  json_string(out, digest_text(at));
  out += fmt::format(",\"tree_size\":{},\"root\":\"{}\",\"seq\":{},\"leaf_index\":{},\"leaf\":\"{}\","
                     "\"audit_path\":[",
                     at.size, root_hex(at), seq, seq - 1, hex_of(pass->kept_leaf));
  for (size_t i = 0; i < pass->range_hashes.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("\"{}\"", merkle::to_hex(pass->range_hashes[i]));
  }
  out += "],\"event\":" + event->json + "}\n";
  return out;
}

}  // namespace app

Result<ProofCheck> check_proof(std::string_view proof_json, const TreeHead& digest) {
  auto malformed = [](std::string_view why) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("not a proof: {}", why));
  };
  auto failed = [](std::string why) { return Status(ErrorCode::kRefused, std::move(why)); };
  rapidjson::Document doc;
  doc.Parse(proof_json.data(), proof_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return malformed("not a JSON object");
  auto text = [&](const char* key) -> std::optional<std::string_view> {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsString()) return std::nullopt;
    return std::string_view(it->value.GetString(), it->value.GetStringLength());
  };
  auto number = [&](const char* key) -> std::optional<uint64_t> {
    auto it = doc.FindMember(key);
    if (it == doc.MemberEnd() || !it->value.IsUint64()) return std::nullopt;
    return it->value.GetUint64();
  };
  if (text("format") != kProofTag) {
    return malformed(fmt::format("its \"format\" is not \"{}\"", kProofTag));
  }
  const auto tree_size = number("tree_size");
  const auto leaf_index = number("leaf_index");
  const auto seq = number("seq");
  const auto leaf_hex = text("leaf");
  const auto root_text = text("root");
  auto path_it = doc.FindMember("audit_path");
  auto event_it = doc.FindMember("event");
  if (!tree_size || !leaf_index || !seq || !leaf_hex || !root_text ||
      path_it == doc.MemberEnd() || !path_it->value.IsArray() || event_it == doc.MemberEnd() ||
      !event_it->value.IsObject()) {
    return malformed("it lacks tree_size, leaf_index, seq, leaf, root, audit_path or event");
  }
  std::vector<merkle::Hash> path;
  for (const auto& p : path_it->value.GetArray()) {
    if (!p.IsString()) return malformed("an audit_path entry is not a string");
    auto h = merkle::from_hex(std::string_view(p.GetString(), p.GetStringLength()));
    if (!h) return malformed("an audit_path entry is not 64 hex digits");
    path.push_back(*h);
  }
  auto leaf = bytes_of_hex(*leaf_hex);
  if (!leaf) return malformed("its leaf is not lowercase hex");
  auto root = merkle::from_hex(*root_text);
  if (!root) return malformed("its root is not 64 hex digits");
  auto dec_it = event_it->value.FindMember("decimals");
  int decimals = 2;
  if (dec_it != event_it->value.MemberEnd()) {
    if (!dec_it->value.IsInt() || dec_it->value.GetInt() < 0 || dec_it->value.GetInt() > 18) {
      return malformed("its event's decimals are not a number from 0 to 18");
    }
    decimals = dec_it->value.GetInt();
  }
  auto event = leaf_event(*leaf, decimals);
  if (!event) return failed(fmt::format("the proof's leaf is not an event: {}",
                                        event.status().message()));
  rapidjson::Document shown;
  shown.Parse(event->json.data(), event->json.size());
  if (shown != event_it->value) {
    return failed(fmt::format("the proof's event is not what its leaf holds ({})", event->json));
  }
  store::LeafFields fields;
  store::decode_leaf(*leaf, fields);
  if (fields.seq != *seq || *leaf_index + 1 != *seq) {
    return failed(fmt::format("the leaf is event {}, but the proof says seq {} at leaf index {}",
                              fields.seq, *seq, *leaf_index));
  }
  ProofCheck check;
  check.seq = *seq;
  check.head = head_of(*tree_size, *root);
  check.event = event->words;
  if (*tree_size != digest.size || *root != hash_of(digest)) {
    return failed(fmt::format("the proof is for the tree head {}, not for the digest {}",
                              digest_text(check.head), digest_text(digest)));
  }
  if (!merkle::verify_inclusion(*leaf_index, *tree_size, merkle::leaf_hash(*leaf), path, *root)) {
    return failed(fmt::format("the audit path does not lead from {} to the digest's root",
                              event->words));
  }
  return check;
}

}  // namespace ledger
