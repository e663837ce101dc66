/** The year picker of the board and the lists: three years back, one ahead. */
import { useSession } from '../session';

export function YearSelect(props: { year: number; page: string }) {
  const { me } = useSession();
  const years = Array.from({ length: 5 }, (_, i) => me.year - 3 + i);
  return (
    <select
      value={String(props.year)}
      onChange={(e) => (location.hash = `#/${props.page}/${(e.currentTarget as HTMLSelectElement).value}`)}
    >
      {years.map((y) => (
        <option key={y} value={String(y)}>
          {y}
        </option>
      ))}
    </select>
  );
}
