// Well-known passwords that must never be accepted (第18条2項・第20条の2 4項: nothing guessable).
// Lower case. checkNewPassword compares the candidate case-insensitively, as-is and with digits and
// symbols stripped from both ends (so 'Password1!' matches 'password'), and after undoing common
// look-alike substitutions (p@ssw0rd → password).
const WORLDWIDE = [
  // sequences and keyboard walks
  '123456', '1234567', '12345678', '123456789', '1234567890', '0123456789', '987654321', '87654321',
  '11111111', '00000000', '88888888', '12341234', '12121212', '11223344', '112233', '123123', '123123123',
  '147258369', '159753', '789456123', '654321', '666666', '696969', '121212', '131313', '7777777',
  'qwerty', 'qwerty123', 'qwertyuiop', 'qwerty1', 'qwe123', 'qweasd', 'qweasdzxc', 'asdfgh', 'asdfghjkl',
  'asdf1234', 'zxcvbnm', 'zxcvbn', '1qaz2wsx', '1q2w3e4r', '1q2w3e4r5t', '1q2w3e', 'q1w2e3r4', 'zaq12wsx',
  'qazwsx', 'abc123', 'abcd1234', 'abcdef', 'abcdefg', 'abcdefgh', 'a1b2c3d4', 'aa123456', 'aaaaaa',
  // the classics
  'password', 'password1', 'password12', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'pass1234',
  'passwd', 'passpass', 'pass', 'changeme', 'default', 'secret', 'letmein', 'welcome', 'welcome1',
  'welcome123', 'admin', 'admin123', 'admin1234', 'administrator', 'root', 'toor', 'guest', 'test',
  'test1234', 'test123', 'testtest', 'user', 'user1234', 'login', 'master', 'access', 'trustno1',
  'iloveyou', 'iloveu', 'loveme', 'lovely', 'love', 'princess', 'sunshine', 'shadow', 'monkey', 'dragon',
  'football', 'baseball', 'soccer', 'basketball', 'superman', 'batman', 'starwars', 'pokemon', 'mustang',
  'michael', 'jennifer', 'jessica', 'charlie', 'daniel', 'thomas', 'jordan', 'hunter', 'ranger',
  'freedom', 'whatever', 'computer', 'internet', 'samsung', 'google', 'microsoft', 'windows', 'apple',
  'cheese', 'chocolate', 'cookie', 'flower', 'summer', 'winter', 'spring', 'autumn', 'matrix', 'hello',
  'hello123', 'helloworld', 'nothing', 'secret123', 'killer', 'hottie', 'tigger', 'ginger', 'pepper',
  'buster', 'soccer1', 'harley', 'maggie', 'ashley', 'bailey', 'qwertyui', 'zaq1zaq1', 'mypassword',
  'newpassword', 'letmein1', 'system', 'manager', 'support', 'service', 'office', 'security',
];

const JAPANESE_CONTEXT = [
  // this town, this office, this system
  'kumiyama', 'kumiyamacho', 'kumiyama-cho', 'kumiyamatown', 'kumiyamachou', 'kumiyama-machi',
  'juki', 'jyuki', 'juki-net', 'jukinet', 'jyukinet', 'jyuki-net', 'juukinet', 'jukinetto',
  'jumin', 'jyumin', 'juumin', 'juminka', 'jyuminka', 'juuminka', 'jumin-ka', 'jyumin-ka',
  'juminhyo', 'jyuminhyo', 'juminhyou', 'jyuuminhyou', 'juminkihon', 'jukidaicho', 'koseki',
  'yakuba', 'yakusho', 'chouyakuba', 'choyakuba', 'machiyakuba', 'shiyakusho', 'kuyakusho',
  'soumu', 'somu', 'soumuka', 'kanri', 'kanrisha', 'kanrinin', 'madoguchi', 'tantou', 'tantousha',
  'mynumber', 'mainanba', 'mainanbaa', 'kojinbango', 'kyoto', 'kyotofu', 'kyoto-fu', 'uji', 'joyo',
  // common Japanese words and names
  'nippon', 'nihon', 'japan', 'tokyo', 'osaka', 'sakura', 'fujisan', 'himitsu', 'aishiteru', 'daisuki',
  'arigatou', 'arigato', 'konnichiwa', 'ganbare', 'ganbaro', 'genki', 'kawaii', 'doraemon', 'pikachu',
  'totoro', 'naruto', 'gundam', 'tanaka', 'suzuki', 'satou', 'sato', 'yamada', 'takahashi', 'watanabe',
  'nakamura', 'kobayashi', 'yamamoto', 'tarou', 'taro', 'hanako', 'yamadatarou', 'yamadataro',
  'パスワード', 'ぱすわーど', 'ひみつ', 'あいしてる',
];

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([...WORLDWIDE, ...JAPANESE_CONTEXT]);
