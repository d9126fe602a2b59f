// Japanese labels of the resident record's coded values (one place for screen and print).
export const SEX_LABEL = { male: '男', female: '女' } as const;
export const STATUS_LABEL = { resident: '住民', 'moved-out': '転出', deceased: '死亡' } as const;
export const STATUS_TAG = { resident: '', 'moved-out': '転出', deceased: '死亡' } as const;
export const HISTORY_KIND = { birth: '出生', 'moved-in': '転入', 'moved-within': '転居', 'name-changed': '氏名変更', 'code-changed': 'コード変更', 'moved-out': '転出', deceased: '死亡', corrected: '職権修正' } as const;
