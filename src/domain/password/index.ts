// Operator password policy (運用規程 第18条, 第20条の2). Pure: no Node, DOM or Electron APIs.
export {
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_CHARACTER_CLASSES,
  PASSWORD_PROBLEM_MESSAGES,
  type PasswordProblemCode,
  type PasswordProblem,
  type PasswordContext,
  type PasswordCheckResult,
  checkNewPassword,
} from './policy';
export { PASSWORD_EXPIRY_DAYS_DEFAULT, passwordExpiresAt, isPasswordExpired, passwordDaysLeft } from './expiry';
export { COMMON_PASSWORDS } from './common-passwords';
export { MIN_RUN, findSequentialRun, findRepeatedRun, findRepeatedUnit } from './patterns';
