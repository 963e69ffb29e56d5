/**
 * The peers' version of the 5-step conversation: four questions with buttons, then an outcome,
 * written the way a developer would with each library. Texts are as long as SafeStep's, so
 * every bot sends payloads of a similar size.
 */

export interface Question {
  text: string;
  answers: { id: string; label: string }[];
}

export const QUESTIONS: Question[] = [
  {
    text: 'Thank you for checking before you decide. I will ask short questions, one at a time. Did someone you have never met contact you first?',
    answers: [
      { id: 'q1_yes', label: 'Yes, they contacted me' },
      { id: 'q1_no', label: 'No, I contacted them' },
    ],
  },
  {
    text: 'Have they asked you to pay anything: a fee, a deposit, a tax, or a "guarantee"?',
    answers: [
      { id: 'q2_yes', label: 'Yes, they want money' },
      { id: 'q2_no', label: 'No, nothing asked' },
      { id: 'q2_paid', label: 'I already paid' },
    ],
  },
  {
    text: 'How did they ask you to pay? Scammers prefer ways that are hard to reverse.',
    answers: [
      { id: 'q3_bank', label: 'Bank transfer' },
      { id: 'q3_crypto', label: 'Crypto' },
      { id: 'q3_cards', label: 'Gift cards or cash' },
    ],
  },
  {
    text: 'Are they pressing you to act now, or to keep it secret from family and the bank?',
    answers: [
      { id: 'q4_yes', label: 'Yes, they are pressing me' },
      { id: 'q4_no', label: 'No' },
    ],
  },
];

export const OUTCOME =
  'This has the signs of a scam. Stop replying and do not pay anything more. Call your bank now on the number printed on your card, and report it to the anti-fraud line. You did the right thing by checking.';

export const PRESS_A_BUTTON = 'Please press one of the buttons.';
